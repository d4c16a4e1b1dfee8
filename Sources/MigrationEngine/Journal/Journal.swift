import Crypto
import Foundation

/// The durable journal of one migration run: the run and the plan hash it started with, every
/// record (hash-chained), and the run lock's lease, kept by a ``JournalStorage`` (SQLite by
/// default, PostgreSQL for replicas). Each record is committed before the side effect it announces.
public final class Journal: Sendable {
    /// Where the records are kept.
    public let storage: any JournalStorage
    /// Who acts and why (`by`, and `note` when given), added to the detail of every record this
    /// process appends that does not name them itself: the audit trail of `apply` and `resume`.
    public let attribution: [String: String]

    /// A journal kept by `storage`; the records it appends carry `attribution`.
    public init(storage: any JournalStorage, attribution: [String: String] = [:]) {
        self.storage = storage
        self.attribution = attribution
    }

    /// The same journal, its records attributed to `attribution`.
    public func attributed(_ attribution: [String: String]) -> Journal {
        Journal(storage: storage, attribution: attribution)
    }

    /// Where the journal is, for messages.
    public var location: String { storage.location }

    /// Opens (and with `create`, creates) the SQLite journal at `path`. `readOnly` never creates
    /// or writes anything: the dry run uses it.
    public static func open(path: String, create: Bool = true, readOnly: Bool = false) throws(JournalError) -> Journal {
        Journal(storage: try SQLiteJournalStorage(path: path, create: create, readOnly: readOnly))
    }

    /// The run this journal holds, if one started.
    public func run() throws(JournalError) -> JournalRun? {
        try guarded { try storage.loadRun() }
    }

    /// Every record, oldest first.
    public func records() throws(JournalError) -> [JournalRecord] {
        try guarded { try storage.loadRecords(newestOnly: false) }
    }

    /// The newest record.
    public func lastRecord() throws(JournalError) -> JournalRecord? {
        try guarded { try storage.loadRecords(newestOnly: true).last }
    }

    /// Records the start of the run and its plan hash, with the first record.
    public func startRun(planHash: String, machine: RunStateMachine, fence: Int64, at now: Date) throws(JournalError) {
        let run = JournalRun(planHash: planHash, mode: machine.mode, requiredGates: machine.requiredGates, startedAt: now)
        let detail = attributing(["planHash": .string(planHash)])
        try guarded {
            _ = try storage.append(fence: 0, run: run) { previous, sequence in
                Self.record(
                    previous: previous, sequence: sequence, kind: .runStarted, machine: machine, attempt: 0,
                    detail: detail, fence: fence, at: now)
            }
        }
    }

    /// Appends a record after checking, in the same transaction, that `fence` still holds the
    /// lease (0 = a writer that needs no lock: approvals and abort requests).
    @discardableResult
    public func append(
        _ kind: JournalRecord.Kind, machine: RunStateMachine, attempt: Int = 0,
        detail: [String: String] = [:], fence: Int64, at now: Date
    ) throws(JournalError) -> JournalRecord {
        try append(kind, machine: machine, attempt: attempt, values: detail.mapValues(JournalValue.string), fence: fence, at: now)
    }

    /// ``append(_:machine:attempt:detail:fence:at:)`` with a detail that has structure (a
    /// check's results as objects, a list of files), kept as JSON, not as JSON text.
    @discardableResult
    public func append(
        _ kind: JournalRecord.Kind, machine: RunStateMachine, attempt: Int = 0,
        values: [String: JournalValue], fence: Int64, at now: Date
    ) throws(JournalError) -> JournalRecord {
        let detail = attributing(values)
        return try guarded {
            try storage.append(fence: fence, run: nil) { previous, sequence in
                Self.record(
                    previous: previous, sequence: sequence, kind: kind, machine: machine, attempt: attempt,
                    detail: detail, fence: fence, at: now)
            }
        }
    }

    /// `detail` with the attribution's keys it does not set itself (an approval names its own
    /// approver).
    private func attributing(_ detail: [String: JournalValue]) -> [String: JournalValue] {
        detail.merging(attribution.mapValues(JournalValue.string)) { own, _ in own }
    }

    private static func record(
        previous: String, sequence: Int64, kind: JournalRecord.Kind, machine: RunStateMachine, attempt: Int,
        detail: [String: JournalValue], fence: Int64, at now: Date
    ) -> JournalRecord {
        let detailText = JournalSchema.encode(detail)
        let hash = chainHash(
            previous: previous, sequence: sequence, at: now, kind: kind.rawValue, phase: machine.phase.rawValue,
            status: machine.status.rawValue, stepDone: machine.stepDone, attempt: attempt, detail: detailText, fence: fence)
        return JournalRecord(
            sequence: sequence, at: now, kind: kind, phase: machine.phase, status: machine.status,
            stepDone: machine.stepDone, attempt: attempt, detail: detailText, fence: fence, previousHash: previous, hash: hash)
    }

    /// The first record whose hash does not match its content and predecessor, or nil when
    /// the whole chain holds (`status --verify-journal`).
    public func firstBrokenRecord() throws(JournalError) -> Int64? {
        var previous = ""
        for record in try records() {
            let expected = Self.chainHash(
                previous: previous, sequence: record.sequence, at: record.at, kind: record.kind.rawValue,
                phase: record.phase.rawValue, status: record.status.rawValue, stepDone: record.stepDone,
                attempt: record.attempt, detail: record.detail, fence: record.fence)
            if record.previousHash != previous || record.hash != expected { return record.sequence }
            previous = record.hash
        }
        return nil
    }

    static func chainHash(
        previous: String, sequence: Int64, at: Date, kind: String, phase: String, status: String,
        stepDone: Bool, attempt: Int, detail: String, fence: Int64
    ) -> String {
        let milliseconds = Int64((at.timeIntervalSince1970 * 1000).rounded())
        let content = [
            previous, String(sequence), String(milliseconds), kind, phase, status, stepDone ? "1" : "0",
            String(attempt), detail, String(fence),
        ].joined(separator: "\u{1F}")
        return SHA256.hash(data: Data(content.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The worker state document `name` (see ``JournalStorage/loadDocument(_:)``).
    public func document(_ name: String) throws(JournalError) -> Data? {
        try guarded { try storage.loadDocument(name) }
    }

    /// Stores the worker state document `name`, fenced like a record: a holder whose lease was
    /// taken over is refused and nothing is stored.
    public func saveDocument(_ name: String, _ data: Data, fence: Int64, at now: Date) throws(JournalError) {
        try saveDocuments([name: data], fence: fence, at: now)
    }

    /// Stores several worker state documents in one transaction (all or none), fenced like a
    /// record.
    public func saveDocuments(_ documents: [String: Data], fence: Int64, at now: Date) throws(JournalError) {
        try guarded { try storage.saveDocuments(documents, fence: fence, at: now) }
    }

    /// Runs a storage call; the journal's own errors pass through, any other failure becomes
    /// ``JournalError/database(_:)`` naming the journal.
    func guarded<T>(_ body: () throws -> T) throws(JournalError) -> T {
        do { return try body() } catch let error as JournalError { throw error } catch { throw .database("\(location): \(error)") }
    }
}

/// The run a journal holds.
public struct JournalRun: Sendable, Equatable {
    /// Plan hash the run started with.
    public let planHash: String
    /// Mode it started with.
    public let mode: MigrationPhase.Mode
    /// Gates that need approval.
    public let requiredGates: Set<Gate>
    /// When it started.
    public let startedAt: Date

    public init(planHash: String, mode: MigrationPhase.Mode, requiredGates: Set<Gate>, startedAt: Date) {
        self.planHash = planHash
        self.mode = mode
        self.requiredGates = requiredGates
        self.startedAt = startedAt
    }
}
