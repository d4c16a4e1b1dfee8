import Foundation
import MigrationEngine
import Synchronization

/// The importer's last backlog report of a pass (files still to import, since when the oldest
/// waits), handed to the status page once the pass ends.
final class BacklogSeen: Sendable {
    private let last = Mutex<(pending: Int, since: Date?)?>(nil)

    func observe(_ event: MigrationEvent) {
        if case let .backlog(worker, pending, since) = event, worker == "export-importer" { last.withLock { $0 = (pending, since) } }
    }

    /// The backlog seen since the last call, if any.
    func take() -> (pending: Int, since: Date?)? {
        last.withLock { value in
            defer { value = nil }
            return value
        }
    }
}
