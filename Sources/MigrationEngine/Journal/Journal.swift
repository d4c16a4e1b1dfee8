import Crypto
import Foundation
import GRDB

/// The durable journal of one migration run, in SQLite: the run and the plan hash it started
/// with, every record (hash-chained), and the run lock's lease. Each record is committed before
/// the side effect it announces.
public final class Journal: Sendable {
    /// The database file.
    public let path: String
    let database: DatabaseQueue

    private init(path: String, database: DatabaseQueue) {
        self.path = path
        self.database = database
    }

    /// Opens (and with `create`, creates) the journal at `path`. `readOnly` never creates or
    /// writes anything: the dry run uses it.
    public static func open(path: String, create: Bool = true, readOnly: Bool = false) throws(JournalError) -> Journal {
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists, readOnly || !create { throw .missing(path: path) }
        do {
            if !exists {
                try FileManager.default.createDirectory(
                    at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            }
            var configuration = Configuration()
            configuration.readonly = readOnly
            configuration.busyMode = .timeout(5)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            if !readOnly {
                try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL") }
                try JournalSchema.migrator.migrate(queue)
            }
            return Journal(path: path, database: queue)
        } catch let error as JournalError {
            throw error
        } catch {
            throw .database("\(path): \(error)")
        }
    }

    /// The run this journal holds, if one started.
    public func run() throws(JournalError) -> JournalRun? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT plan_hash, mode, required_gates, started_at FROM run WHERE id = 1").map { row in
                JournalRun(planHash: row["plan_hash"], mode: MigrationPhase.Mode(rawValue: row["mode"]) ?? .readOnly,
                           requiredGates: Set((row["required_gates"] as String).split(separator: ",").compactMap { Gate(rawValue: String($0)) }),
                           startedAt: row["started_at"])
            }
        }
    }

    /// Every record, oldest first.
    public func records() throws(JournalError) -> [JournalRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM record ORDER BY seq").map(JournalSchema.record) }
    }

    /// The newest record.
    public func lastRecord() throws(JournalError) -> JournalRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM record ORDER BY seq DESC LIMIT 1").map(JournalSchema.record) }
    }

    /// Records the start of the run and its plan hash, with the first record.
    public func startRun(planHash: String, machine: RunStateMachine, fence: Int64, at now: Date) throws(JournalError) {
        try write { db in
            try db.execute(sql: "INSERT INTO run (id, plan_hash, mode, required_gates, started_at) VALUES (1, ?, ?, ?, ?)",
                           arguments: [planHash, machine.mode.rawValue, machine.requiredGates.map(\.rawValue).sorted().joined(separator: ","), now])
            try Self.insert(db, kind: .runStarted, machine: machine, attempt: 0, detail: ["planHash": planHash], fence: fence, at: now)
        }
    }

    /// Appends a record after checking, in the same transaction, that `fence` still holds the
    /// lease (0 = a writer that needs no lock: approvals and abort requests).
    @discardableResult
    public func append(_ kind: JournalRecord.Kind, machine: RunStateMachine, attempt: Int = 0,
                       detail: [String: String] = [:], fence: Int64, at now: Date) throws(JournalError) -> JournalRecord {
        try write { db in
            if fence > 0 {
                let current = try Int64.fetchOne(db, sql: "SELECT fence FROM lease WHERE id = 1") ?? 0
                guard current == fence else { throw JournalError.fenced(expected: fence, current: current) }
            }
            return try Self.insert(db, kind: kind, machine: machine, attempt: attempt, detail: detail, fence: fence, at: now)
        }
    }

    @discardableResult
    private static func insert(_ db: Database, kind: JournalRecord.Kind, machine: RunStateMachine, attempt: Int,
                               detail: [String: String], fence: Int64, at now: Date) throws -> JournalRecord {
        let previous = try String.fetchOne(db, sql: "SELECT hash FROM record ORDER BY seq DESC LIMIT 1") ?? ""
        let sequence = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM record") ?? 0) + 1
        let detailText = JournalSchema.encode(detail)
        let hash = chainHash(previous: previous, sequence: sequence, at: now, kind: kind.rawValue, phase: machine.phase.rawValue,
                             status: machine.status.rawValue, stepDone: machine.stepDone, attempt: attempt, detail: detailText, fence: fence)
        try db.execute(sql: """
            INSERT INTO record (seq, at, kind, phase, status, step_done, attempt, detail, fence, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [sequence, now, kind.rawValue, machine.phase.rawValue, machine.status.rawValue, machine.stepDone,
                             attempt, detailText, fence, previous, hash])
        return JournalRecord(sequence: sequence, at: now, kind: kind, phase: machine.phase, status: machine.status,
                             stepDone: machine.stepDone, attempt: attempt, detail: detailText, fence: fence, previousHash: previous, hash: hash)
    }

    /// The first record whose hash does not match its content and predecessor, or nil when
    /// the whole chain holds (`status --verify-journal`).
    public func firstBrokenRecord() throws(JournalError) -> Int64? {
        var previous = ""
        for record in try records() {
            let expected = Self.chainHash(previous: previous, sequence: record.sequence, at: record.at, kind: record.kind.rawValue,
                                          phase: record.phase.rawValue, status: record.status.rawValue, stepDone: record.stepDone,
                                          attempt: record.attempt, detail: record.detail, fence: record.fence)
            if record.previousHash != previous || record.hash != expected { return record.sequence }
            previous = record.hash
        }
        return nil
    }

    static func chainHash(previous: String, sequence: Int64, at: Date, kind: String, phase: String, status: String,
                          stepDone: Bool, attempt: Int, detail: String, fence: Int64) -> String {
        let milliseconds = Int64((at.timeIntervalSince1970 * 1000).rounded())
        let content = [previous, String(sequence), String(milliseconds), kind, phase, status, stepDone ? "1" : "0",
                       String(attempt), detail, String(fence)].joined(separator: "\u{1F}")
        return SHA256.hash(data: Data(content.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func read<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try database.read(body) } catch let error as JournalError { throw error } catch { throw .database("\(error)") }
    }

    func write<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try database.write(body) } catch let error as JournalError { throw error } catch { throw .database("\(error)") }
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
}
