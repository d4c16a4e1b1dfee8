import Foundation
import GRDB

/// The publish ledger in an SQLite file (the embedded default keeps it beside the journal).
public final class SQLitePublishLedger: PublishLedger {
    /// The database file.
    public let path: String
    private let database: DatabaseQueue

    /// Opens (creating when missing) the ledger at `path`; `readOnly` opens an existing one
    /// without changing anything (the dry run, `status`).
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        database = try SQLiteFile.open(path: path, migrator: Self.migrator, readOnly: readOnly)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-published-file") { db in
            try db.execute(
                sql: """
                    CREATE TABLE published_file (
                        name TEXT PRIMARY KEY, status TEXT NOT NULL, source_digest TEXT, reason TEXT,
                        attempts INTEGER NOT NULL, updated_at DATETIME NOT NULL)
                    """)
        }
        migrator.registerMigration("v2-source-version") { db in
            // A pass reads a client file again only when its content version (ETag, inode/size/
            // time) changed or its last read is older than `workers.fullVerification`.
            try db.execute(
                sql: """
                    ALTER TABLE published_file ADD COLUMN source_version TEXT;
                    ALTER TABLE published_file ADD COLUMN checked_at DATETIME;
                    """)
        }
        return migrator
    }

    public func entry(_ name: String) async throws -> PublishLedgerEntry? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM published_file WHERE name = ?", arguments: [name]).map(Self.entry)
        }
    }

    public func recordPublished(_ name: String, sourceDigest: String, sourceVersion: String?, at: Date) async throws {
        try await database.write { db in
            try Self.upsert(name, status: .published, sourceDigest: sourceDigest, reason: nil, at: at, db: db)
            try Self.recordChecked(name, sourceVersion: sourceVersion, at: at, db: db)
        }
    }

    public func recordSourceChecked(_ name: String, sourceVersion: String?, at: Date) async throws {
        try await database.write { db in try Self.recordChecked(name, sourceVersion: sourceVersion, at: at, db: db) }
    }

    private static func recordChecked(_ name: String, sourceVersion: String?, at: Date, db: Database) throws {
        try db.execute(sql: "UPDATE published_file SET source_version = ?, checked_at = ? WHERE name = ?", arguments: [sourceVersion, at, name])
    }

    public func recordQuarantined(_ name: String, sourceDigest: String?, reason: String, permanent: Bool, at: Date) async throws {
        try await upsert(name, status: permanent ? .quarantined : .retrying, sourceDigest: sourceDigest, reason: reason, at: at)
    }

    public func entries() async throws -> [PublishLedgerEntry] {
        try await database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM published_file ORDER BY name").map(Self.entry) }
    }

    private func upsert(_ name: String, status: PublishLedgerEntry.Status, sourceDigest: String?, reason: String?, at: Date) async throws {
        try await database.write { db in try Self.upsert(name, status: status, sourceDigest: sourceDigest, reason: reason, at: at, db: db) }
    }

    private static func upsert(
        _ name: String, status: PublishLedgerEntry.Status, sourceDigest: String?, reason: String?, at: Date,
        db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO published_file (name, status, source_digest, reason, attempts, updated_at) VALUES (?, ?, ?, ?, 1, ?)
                ON CONFLICT(name) DO UPDATE SET status = excluded.status, source_digest = excluded.source_digest,
                    reason = excluded.reason, attempts = attempts + 1, updated_at = excluded.updated_at
                """, arguments: [name, status.rawValue, sourceDigest, reason, at])
    }

    private static func entry(_ row: Row) -> PublishLedgerEntry {
        PublishLedgerEntry(
            name: row["name"], status: PublishLedgerEntry.Status(rawValue: row["status"]) ?? .retrying,
            sourceDigest: row["source_digest"], reason: row["reason"], attempts: row["attempts"],
            sourceVersion: row["source_version"], checkedAt: row["checked_at"])
    }
}
