import Foundation
import PostgresNIO
import Synchronization

/// Watches the connection a pooled call runs on and fails the call as a lost connection once
/// that connection closes while the call still waits. postgres-nio does not always answer a
/// statement sent in the instant the server ended the backend (a restart, a failover,
/// `pg_terminate_backend`): without the watch such a call waits forever. No deadline: a
/// statement waiting on another replica's lock is slow, not lost. The abandoned call keeps its
/// task (and the pool its lease on the dead connection) until the process ends: a rare, bounded cost.
final class ConnectionWatch: Sendable {
    /// The connection closed under a call; `afterBody` when the transaction's body had finished
    /// (its COMMIT may have been on its way, so it may stand).
    struct Closed: Error, CustomStringConvertible {
        let afterBody: Bool
        var description: String { "the connection closed while a statement waited for its answer" }
    }

    private struct State {
        var connection: PostgresConnection?
        var bodyDone = false
        var waiting: CheckedContinuation<any Sendable, any Error>?
        var answered = false
    }

    private let state = Mutex(State())

    /// The call runs on `connection` now.
    func attach(_ connection: PostgresConnection) { state.withLock { $0.connection = connection } }

    /// The transaction's body returned; what is left is the COMMIT.
    func bodyFinished() { state.withLock { $0.bodyDone = true } }

    /// Runs `operation` and returns its answer, or throws ``Closed`` once the attached
    /// connection closed while the operation still waits.
    func race<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let answer = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
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
                    give(.failure(Closed(afterBody: state.withLock { $0.bodyDone })))
                }
            }
        }
        guard let typed = answer as? T else { throw Closed(afterBody: true) }
        return typed
    }

    private func give(_ result: Result<any Sendable, any Error>) {
        let waiting: CheckedContinuation<any Sendable, any Error>? = state.withLock { current in
            guard !current.answered else { return nil }
            current.answered = true
            defer { current.waiting = nil }
            return current.waiting
        }
        waiting?.resume(with: result)
    }
}
