import Foundation
import PostgresNIO
import Synchronization

/// A connection closed under a call that waited for its answer; `afterBody` when a
/// transaction's body had finished (its COMMIT may have been on its way, so it may stand).
struct ConnectionClosed: Error, CustomStringConvertible {
    let afterBody: Bool
    var description: String { "the connection closed while a statement waited for its answer" }
}

/// Watches the connection a pooled call runs on and fails the call as a lost connection once
/// that connection closes while the call still waits. postgres-nio does not always answer a
/// statement sent in the instant the server ended the backend (a restart, a failover,
/// `pg_terminate_backend`): without the watch such a call waits forever. No deadline: a
/// statement waiting on another replica's lock is slow, not lost. The abandoned call keeps its
/// task (and the pool its lease on the dead connection) until the process ends: a rare, bounded cost.
final class ConnectionWatch<Answer: Sendable>: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var bodyDone = false
        var waiting: CheckedContinuation<Answer, any Error>?
        var answered = false
    }

    private let state = Mutex(State())

    /// The call runs on `connection` now.
    func attach(_ connection: PostgresConnection) { state.withLock { $0.connection = connection } }

    /// The transaction's body returned; what is left is the COMMIT.
    func bodyFinished() { state.withLock { $0.bodyDone = true } }

    /// Runs `operation` and returns its answer, or throws ``ConnectionClosed`` once the attached
    /// connection closed while the operation still waits.
    func race(_ operation: @escaping @Sendable () async throws -> Answer) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.waiting = continuation }
            Task {
                do { give(.success(try await operation())) } catch { give(.failure(error)) }
            }
            Task {
                while !state.withLock({ $0.answered }) {
                    try? await Task.sleep(for: .milliseconds(200))
                    guard let connection = state.withLock({ $0.connection }), connection.isClosed else { continue }
                    // One more moment: an answer that came with the close wins.
                    try? await Task.sleep(for: .milliseconds(200))
                    give(.failure(ConnectionClosed(afterBody: state.withLock { $0.bodyDone })))
                }
            }
        }
    }

    private func give(_ result: Result<Answer, any Error>) {
        let waiting: CheckedContinuation<Answer, any Error>? = state.withLock { current in
            guard !current.answered else { return nil }
            current.answered = true
            defer { current.waiting = nil }
            return current.waiting
        }
        waiting?.resume(with: result)
    }
}
