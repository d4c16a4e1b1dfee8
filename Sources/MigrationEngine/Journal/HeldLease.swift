import Foundation
import Synchronization

/// The run lock as this process holds it right now, shared with the workers so they can
/// confirm it immediately before a write phones can see (the client index, a feed's index):
/// a process stopped past its lease and resumed after another took the run over must not
/// publish. The orchestrator sets it when it takes the lease and clears it when it lets go.
public final class HeldLease: Sendable {
    private struct Held {
        let journal: Journal
        let fence: Int64
        let ttl: Duration
    }

    private let held = Mutex<Held?>(nil)

    public init() {}

    /// The lease was taken with `fence`.
    public func hold(_ journal: Journal, fence: Int64, ttl: Duration) {
        held.withLock { $0 = Held(journal: journal, fence: fence, ttl: ttl) }
    }

    /// The lease was given up.
    public func release() {
        held.withLock { $0 = nil }
    }

    /// The journal this process holds the run lock on right now; nil when it holds none.
    public var journal: Journal? { held.withLock { $0?.journal } }

    /// Saves the worker document `name` in the journal, fenced by the held lease in the same
    /// transaction. Without the run lock nothing may be saved: that is an error, not a no-op.
    public func saveDocument(_ name: String, _ data: Data, now: Date = Date()) throws {
        try saveDocuments([name: data], now: now)
    }

    /// Saves several worker documents in one fenced transaction: all or none.
    public func saveDocuments(_ documents: [String: Data], now: Date = Date()) throws {
        guard let current = held.withLock({ $0 }) else {
            let names = documents.keys.sorted().joined(separator: ", ")
            throw JournalError.database("the worker document \(names) is saved only under the run lock, and this process holds none")
        }
        try current.journal.saveDocuments(documents, fence: current.fence, at: now)
    }

    /// Confirms, in one journal transaction, that the lease is still this fence's, and extends
    /// it; throws ``JournalError/fenced(expected:current:)`` when another process holds the run
    /// now. Nothing to confirm when no lease is held (a dry run, a read-only verb, a test).
    public func confirm(now: Date = Date()) throws {
        guard let current = held.withLock({ $0 }) else { return }
        try current.journal.renewLease(fence: current.fence, now: now, ttl: current.ttl)
    }
}
