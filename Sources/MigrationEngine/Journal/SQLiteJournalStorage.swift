import Foundation
import GRDB

/// The journal in one SQLite file (WAL, synchronous FULL: a record is on disk before the side
/// effect it announces).
public final class SQLiteJournalStorage: JournalStorage {
    /// The database file.
    public let path: String
    private let database: DatabaseQueue

    public var location: String { path }

    /// Opens (and with `create`, creates) the file. `readOnly` never creates or writes anything.
    public init(path: String, create: Bool = true, readOnly: Bool = false) throws(JournalError) {
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
                try SQLiteMigrationLock.whileLocked(path) {
                    try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL") }
                    if exists { try SQLiteMigrationLock.check(path) { sql in try queue.read { try String.fetchAll($0, sql: sql) } } }
                    try JournalSchema.migrator.migrate(queue)
                }
            }
            self.path = path
            database = queue
        } catch let error as JournalError {
            throw error
        } catch let error as DatabaseCorrupt {
            throw .corrupt(error)
        } catch {
            throw .database("\(path): \(error)")
        }
    }

    public func loadRun() throws -> JournalRun? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT plan_hash, mode, required_gates, started_at FROM run WHERE id = 1").map { row in
                JournalRun(
                    planHash: row["plan_hash"], mode: MigrationPhase.Mode(rawValue: row["mode"]) ?? .readOnly,
                    requiredGates: JournalSchema.gates(row["required_gates"]), startedAt: row["started_at"])
            }
        }
    }

    public func loadRecords(newestOnly: Bool) throws -> [JournalRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: newestOnly ? "SELECT * FROM record ORDER BY seq DESC LIMIT 1" : "SELECT * FROM record ORDER BY seq")
                .map(JournalSchema.record)
        }
    }

    public func append(fence: Int64, run: JournalRun?, make: (String, Int64) -> JournalRecord) throws -> JournalRecord {
        try database.write { db in
            if fence > 0 {
                let current = try Int64.fetchOne(db, sql: "SELECT fence FROM lease WHERE id = 1") ?? 0
                guard current == fence else { throw JournalError.fenced(expected: fence, current: current) }
            }
            if let run {
                try db.execute(
                    sql: "INSERT INTO run (id, plan_hash, mode, required_gates, started_at) VALUES (1, ?, ?, ?, ?)",
                    arguments: [run.planHash, run.mode.rawValue, JournalSchema.gatesText(run.requiredGates), run.startedAt])
            }
            let previous = try String.fetchOne(db, sql: "SELECT hash FROM record ORDER BY seq DESC LIMIT 1") ?? ""
            let sequence = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM record") ?? 0) + 1
            let record = make(previous, sequence)
            try db.execute(
                sql: """
                    INSERT INTO record (seq, at, kind, phase, status, step_done, attempt, detail, fence, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.sequence, record.at, record.kind.rawValue, record.phase.rawValue, record.status.rawValue,
                    record.stepDone, record.attempt, record.detail, record.fence, record.previousHash, record.hash,
                ])
            return record
        }
    }

    public func updateLease<Result>(_ change: (LockHolder?) throws -> (newLease: LockHolder?, result: Result)) throws -> Result {
        try database.write { db in
            let (lease, result) = try change(try Self.lease(db))
            if let lease {
                try db.execute(
                    sql: """
                        INSERT INTO lease (id, user, host, pid, fence, expires_at) VALUES (1, ?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET user = excluded.user, host = excluded.host, pid = excluded.pid,
                            fence = excluded.fence, expires_at = excluded.expires_at
                        """, arguments: [lease.user, lease.host, lease.pid, lease.fence, lease.expires])
            }
            return result
        }
    }

    public func loadLease() throws -> LockHolder? {
        try database.read { try Self.lease($0) }
    }

    public func loadDocument(_ name: String) throws -> Data? {
        try database.read { db in
            // A read-only open of a journal from before documents: there are none yet.
            guard try db.tableExists("document") else { return nil }
            return try Data.fetchOne(db, sql: "SELECT data FROM document WHERE name = ?", arguments: [name])
        }
    }

    public func saveDocuments(_ documents: [String: Data], fence: Int64, at: Date) throws {
        try database.write { db in
            if fence > 0 {
                let current = try Int64.fetchOne(db, sql: "SELECT fence FROM lease WHERE id = 1") ?? 0
                guard current == fence else { throw JournalError.fenced(expected: fence, current: current) }
            }
            for (name, data) in documents.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: """
                        INSERT INTO document (name, data, fence, saved_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT(name) DO UPDATE SET data = excluded.data, fence = excluded.fence, saved_at = excluded.saved_at
                        """, arguments: [name, data, fence, at])
            }
        }
    }

    private static func lease(_ db: Database) throws -> LockHolder? {
        try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1").map {
            LockHolder(user: $0["user"], host: $0["host"], pid: $0["pid"], fence: $0["fence"], expires: $0["expires_at"])
        }
    }
}
