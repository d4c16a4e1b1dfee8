import Foundation

/// Where a journal keeps its run, its hash-chained records and the run lock's lease: one
/// SQLite file (``SQLiteJournalStorage``, the embedded default) or a PostgreSQL schema shared
/// by replicas (in MigrationStores). Every method is one transaction. The journal's rules (the
/// hash chain, fencing, who may take the lease) live in ``Journal``, once for every storage.
public protocol JournalStorage: Sendable {
    /// Where the journal is, for messages (never with a password).
    var location: String { get }

    /// The run, if one started.
    func loadRun() throws -> JournalRun?

    /// Every record oldest first, or only the newest.
    func loadRecords(newestOnly: Bool) throws -> [JournalRecord]

    /// In one transaction: when `fence` is above 0, fails with ``JournalError/fenced(expected:current:)``
    /// unless the lease still carries it (and keeps it from changing until the commit); stores
    /// `run` when given; hands the newest record's hash ("" when none) and the next sequence
    /// number to `make` and stores the record it returns.
    func append(fence: Int64, run: JournalRun?, make: (_ previousHash: String, _ sequence: Int64) -> JournalRecord) throws -> JournalRecord

    /// In one transaction, with the lease row locked: hands the lease (nil when never taken)
    /// to `change`, stores the lease `change` returns (nil leaves it as it is) and returns its result.
    func updateLease<Result>(_ change: (LockHolder?) throws -> (newLease: LockHolder?, result: Result)) throws -> Result

    /// The lease as stored (expired or released ones included).
    func loadLease() throws -> LockHolder?

    /// A worker's durable state document by name (the mirror's state, …), nil when never
    /// saved. A journal that predates documents (opened read-only, not yet migrated) has none.
    func loadDocument(_ name: String) throws -> Data?

    /// In one transaction: when `fence` is above 0, fails with ``JournalError/fenced(expected:current:)``
    /// unless the lease still carries it; then stores each of `documents` (name → bytes, JSON
    /// or binary), replacing the previous ones: all or none. Written where the records are, so
    /// replicas share them with the run.
    func saveDocuments(_ documents: [String: Data], fence: Int64, at: Date) throws
}
