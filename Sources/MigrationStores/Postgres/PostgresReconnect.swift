import Foundation
import MigrationEngine
import NIOCore
import NIOPosix
import PostgresNIO

/// How long a PostgreSQL store keeps trying after the server dropped the connection or could
/// not be reached (a restart, a failover, a network blip), and with what pauses between tries.
/// A store that gives up fails with ``PostgresUnreachableError``, which names the server and how
/// long it tried.
public struct PostgresReconnect: Sendable, Equatable {
    /// The longest a call keeps trying; `.zero` tries once.
    public var patience: Duration
    /// The pause after the first failure; each next pause doubles, up to ``longestPause``.
    public var firstPause: Duration
    public var longestPause: Duration

    /// The default outlasts a PostgreSQL restart or a managed database's failover (typically
    /// well under a minute) while a run's lease (15 s by default) may run out on the way: the
    /// fenced write after the reconnect then refuses to act for a holder that lost its lease.
    public static let `default` = PostgresReconnect(patience: .seconds(60), firstPause: .milliseconds(100), longestPause: .seconds(5))

    public init(patience: Duration, firstPause: Duration, longestPause: Duration) {
        self.patience = patience
        self.firstPause = firstPause
        self.longestPause = longestPause
    }

    /// The pauses to take in turn until `patience` is spent (none when it is zero).
    func pauses() -> AnyIterator<Duration> {
        var spent = Duration.zero
        var next = firstPause
        return AnyIterator {
            guard spent < patience else { return nil }
            let pause = min(next, patience - spent)
            spent += pause
            next = min(next * 2, longestPause)
            return pause
        }
    }

    /// Whether `error` says the connection is gone or the server cannot take one now, as
    /// opposed to an answer about the query itself (which a retry would only repeat).
    static func isConnectionLost(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            switch error.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed:
                return true
            case .server:
                // 57P01 admin_shutdown (a restart or pg_terminate_backend), 57P02 crash_shutdown,
                // 57P03 cannot_connect_now (starting up or shutting down), class 08 connection exceptions.
                let state = error.serverInfo?[.sqlState] ?? ""
                return ["57P01", "57P02", "57P03"].contains(state) || state.hasPrefix("08")
            default:
                return false
            }
        }
        // Reaching the server at all: refused, reset or timed out before PostgreSQL spoke.
        return error is ConnectionClosed || error is IOError || error is NIOConnectionError
            || error is ChannelError
    }
}

/// A PostgreSQL server that could not be reached for as long as the store was willing to wait.
public struct PostgresUnreachableError: Error, CustomStringConvertible {
    public let location: PostgresLocation
    /// How many connection attempts were made, when the store counted them (the key store's
    /// pool does not say).
    public let attempts: Int?
    /// How long the store tried.
    public let patience: Duration
    public let lastError: String

    public init(location: PostgresLocation, attempts: Int?, patience: Duration, lastError: String) {
        self.location = location
        self.attempts = attempts
        self.patience = patience
        self.lastError = lastError
    }

    public var description: String {
        let tries = attempts.map { "\($0) attempt\($0 == 1 ? "" : "s") over " } ?? "tried for "
        return "\(location): the server could not be reached (\(tries)" + String(format: "%.1f", Journal.seconds(patience))
            + " s; last: \(lastError)). Check that PostgreSQL is running and reachable, then run the command again"
    }
}
