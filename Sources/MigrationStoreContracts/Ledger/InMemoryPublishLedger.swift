import Foundation
import Synchronization

/// The in-memory twin of the publish ledger.
public final class InMemoryPublishLedger: PublishLedger {
    private let state = Mutex([String: PublishLedgerEntry]())

    public init() {}

    public func entry(_ name: String) async throws -> PublishLedgerEntry? { state.withLock { $0[name] } }

    public func recordPublished(_ name: String, sourceDigest: String, sourceVersion: String?, at: Date) async throws {
        state.withLock {
            $0[name] = PublishLedgerEntry(
                name: name, status: .published, sourceDigest: sourceDigest, reason: nil,
                attempts: ($0[name]?.attempts ?? 0) + 1, sourceVersion: sourceVersion, checkedAt: at)
        }
    }

    public func recordSourceChecked(_ name: String, sourceVersion: String?, at: Date) async throws {
        state.withLock {
            guard let entry = $0[name] else { return }
            $0[name] = PublishLedgerEntry(
                name: name, status: entry.status, sourceDigest: entry.sourceDigest, reason: entry.reason,
                attempts: entry.attempts, sourceVersion: sourceVersion, checkedAt: at)
        }
    }

    public func recordQuarantined(_ name: String, sourceDigest: String?, reason: String, permanent: Bool, at: Date) async throws {
        state.withLock {
            $0[name] = PublishLedgerEntry(
                name: name, status: permanent ? .quarantined : .retrying, sourceDigest: sourceDigest,
                reason: reason, attempts: ($0[name]?.attempts ?? 0) + 1)
        }
    }

    public func entries() async throws -> [PublishLedgerEntry] {
        state.withLock { $0.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) } }
    }
}
