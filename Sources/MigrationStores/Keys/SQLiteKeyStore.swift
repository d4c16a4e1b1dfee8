import Foundation
import GRDB

/// The embedded default key store: one SQLite file, schema close to the reference server's
/// `exposure` table plus an import-tracking table. A file's keys and its status commit in one
/// transaction through one reused prepared statement.
public final class SQLiteKeyStore: ExposureKeyStore {
    /// The database file.
    public let path: String
    private let database: DatabaseQueue

    /// Opens (creating when missing) the store at `path`.
    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-exposure-and-import-file") { db in
            try db.execute(sql: """
                CREATE TABLE import_file (
                    id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, status TEXT NOT NULL, attempts INTEGER NOT NULL,
                    last_error TEXT, digest TEXT, keys_imported INTEGER NOT NULL DEFAULT 0, updated_at DATETIME NOT NULL);
                CREATE TABLE exposure (
                    exposure_key BLOB PRIMARY KEY, transmission_risk INTEGER NOT NULL, interval_number INTEGER NOT NULL,
                    interval_count INTEGER NOT NULL, report_type TEXT NOT NULL DEFAULT '', days_since_symptom_onset INTEGER,
                    regions TEXT NOT NULL, traveler BOOLEAN NOT NULL, created_at DATETIME NOT NULL,
                    import_file_id INTEGER REFERENCES import_file(id)) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    public func importFile(url: String, digest: String, keys: [StoredKey], at: Date) async throws -> Int {
        try await database.write { db in
            if try String.fetchOne(db, sql: "SELECT status FROM import_file WHERE url = ?", arguments: [url]) == "imported" {
                return 0
            }
            try db.execute(sql: """
                INSERT INTO import_file (url, status, attempts, digest, updated_at) VALUES (?, 'imported', 1, ?, ?)
                ON CONFLICT(url) DO UPDATE SET status = 'imported', attempts = attempts + 1, last_error = NULL,
                    digest = excluded.digest, updated_at = excluded.updated_at
                """, arguments: [url, digest, at])
            let fileID = try Int64.fetchOne(db, sql: "SELECT id FROM import_file WHERE url = ?", arguments: [url])
            let insert = try db.makeStatement(sql: """
                INSERT OR IGNORE INTO exposure (exposure_key, transmission_risk, interval_number, interval_count, report_type,
                    days_since_symptom_onset, regions, traveler, created_at, import_file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var inserted = 0
            for key in keys {
                try insert.execute(arguments: [key.keyData, key.transmissionRisk, key.intervalNumber, key.intervalCount,
                                               key.reportType, key.daysSinceOnset, key.regions.joined(separator: ","),
                                               key.traveler, key.createdAt, fileID])
                inserted += db.changesCount
            }
            try db.execute(sql: "UPDATE import_file SET keys_imported = ? WHERE url = ?", arguments: [inserted, url])
            return inserted
        }
    }

    public func recordFailure(url: String, reason: String, at: Date) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO import_file (url, status, attempts, last_error, updated_at) VALUES (?, 'failed', 1, ?, ?)
                ON CONFLICT(url) DO UPDATE SET status = 'failed', attempts = attempts + 1, last_error = excluded.last_error,
                    updated_at = excluded.updated_at WHERE import_file.status != 'imported'
                """, arguments: [url, reason, at])
        }
    }

    public func importFiles() async throws -> [ImportFileRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM import_file ORDER BY url").map {
                ImportFileRecord(url: $0["url"], status: ImportFileRecord.Status(rawValue: $0["status"]) ?? .failed,
                                 attempts: $0["attempts"], lastError: $0["last_error"], digest: $0["digest"],
                                 keysImported: $0["keys_imported"])
            }
        }
    }

    public func keyCount() async throws -> Int {
        try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM exposure") ?? 0 }
    }

    public func key(_ keyData: Data) async throws -> StoredKey? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM exposure WHERE exposure_key = ?", arguments: [keyData]).map {
                StoredKey(keyData: $0["exposure_key"], transmissionRisk: $0["transmission_risk"], intervalNumber: $0["interval_number"],
                          intervalCount: $0["interval_count"], reportType: $0["report_type"], daysSinceOnset: $0["days_since_symptom_onset"],
                          regions: ($0["regions"] as String).split(separator: ",").map(String.init), traveler: $0["traveler"],
                          createdAt: $0["created_at"])
            }
        }
    }
}
