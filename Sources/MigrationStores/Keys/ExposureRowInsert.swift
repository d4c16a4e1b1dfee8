import Foundation
import GRDB
import GRDBSQLite

/// The key store's one statement run per key on import (`INSERT OR IGNORE INTO exposure …`),
/// bound through SQLite's C API. GRDB's `StatementArguments` box ten values per key in
/// existentials; at a million keys that boxing was a quarter of the import's CPU, more than
/// SQLite's own work.
struct ExposureRowInsert {
    static let sql = """
        INSERT OR IGNORE INTO exposure (exposure_key, transmission_risk, interval_number, interval_count, report_type,
            days_since_symptom_onset, regions, traveler, created_at, import_file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    let statement: Statement
    let db: Database

    init(db: Database) throws {
        self.db = db
        statement = try db.cachedStatement(sql: Self.sql)
    }

    /// Inserts one row; returns whether it was new (a key already stored is skipped).
    /// `createdAt` is the creation time as the store writes dates (``DatabaseValue`` text).
    func insert(_ key: StoredKey, regions: String, createdAt: String, fileID: Int64?) throws -> Bool {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 2, Int64(key.transmissionRisk))
        sqlite3_bind_int64(handle, 3, Int64(key.intervalNumber))
        sqlite3_bind_int64(handle, 4, Int64(key.intervalCount))
        sqlite3_bind_text(handle, 5, key.reportType, -1, Self.transient)
        if let onset = key.daysSinceOnset { sqlite3_bind_int64(handle, 6, Int64(onset)) } else { sqlite3_bind_null(handle, 6) }
        sqlite3_bind_text(handle, 7, regions, -1, Self.transient)
        sqlite3_bind_int64(handle, 8, key.traveler ? 1 : 0)
        sqlite3_bind_text(handle, 9, createdAt, -1, Self.transient)
        if let fileID { sqlite3_bind_int64(handle, 10, fileID) } else { sqlite3_bind_null(handle, 10) }
        let result = key.keyData.withUnsafeBytes { bytes in
            sqlite3_bind_blob(handle, 1, bytes.baseAddress, Int32(bytes.count), Self.transient)
            return sqlite3_step(handle)
        }
        sqlite3_reset(handle)
        guard result == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: result), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: Self.sql)
        }
        return sqlite3_changes(db.sqliteConnection) > 0
    }

    /// SQLite copies the value before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
