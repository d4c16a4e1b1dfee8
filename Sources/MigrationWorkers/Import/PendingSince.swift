import Foundation
import Synchronization

/// Since when each file still to do has been waiting, as this process saw it: the first pass
/// that found a file pending dates it, and it is forgotten once done. Gives the import lag
/// (how long the oldest waiting file has waited) without a record of its own: a restarted
/// process dates what is pending from its own first pass.
public final class PendingSince: Sendable {
    private let seen = Mutex<[String: Date]>([:])

    public init() {}

    /// Records `pending` as the files waiting now and returns the oldest one's date (nil when
    /// none waits).
    public func update(pending: [String], now: Date) -> Date? {
        seen.withLock { seen in
            let waiting = Set(pending)
            seen = seen.filter { waiting.contains($0.key) }
            for name in pending where seen[name] == nil { seen[name] = now }
            return seen.values.min()
        }
    }
}
