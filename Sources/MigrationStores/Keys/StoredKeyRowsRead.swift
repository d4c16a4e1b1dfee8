import Foundation
import GRDB
import GRDBSQLite

/// Reads stored keys (the key store's ``SQLiteKeyStore`` key columns, by position) through
/// SQLite's C API, for the national export's million-row reads: decoding each row through
/// GRDB's `Row` (boxed values, a date parsed per row) was a fifth of the export. Creation times
/// and region lists repeat from row to row, so each distinct text is decoded once.
struct StoredKeyRowsRead {
    let statement: Statement
    let db: Database

    /// `sql` selects the twelve key columns in ``SQLiteKeyStore``'s order; the values bound to
    /// it are integers, text or blobs, in order.
    init(db: Database, sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
    }

    func keys(binding values: [any DatabaseValueConvertible]) throws -> [StoredKey] {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            switch value.databaseValue.storage {
            case .int64(let number): sqlite3_bind_int64(handle, Int32(offset + 1), number)
            case .string(let text): sqlite3_bind_text(handle, Int32(offset + 1), text, -1, Self.transient)
            case .blob(let data): _ = data.withUnsafeBytes { sqlite3_bind_blob(handle, Int32(offset + 1), $0.baseAddress, Int32($0.count), Self.transient) }
            default: preconditionFailure("only integer, text and blob binds")
            }
        }
        defer { sqlite3_reset(handle) }
        var keys: [StoredKey] = []
        var createdText = "", created = Date(timeIntervalSince1970: 0)
        var regionsText = "", regions: [String] = []
        while true {
            let result = sqlite3_step(handle)
            if result == SQLITE_DONE { break }
            guard result == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: result), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: statement.sql)
            }
            let keyData = Data(bytes: sqlite3_column_blob(handle, 0), count: Int(sqlite3_column_bytes(handle, 0)))
            let createdNow = text(handle, 8) ?? ""
            if createdNow != createdText {
                createdText = createdNow
                created = Date.fromDatabaseValue(createdNow.databaseValue) ?? created
            }
            let regionsNow = text(handle, 6) ?? ""
            if regionsNow != regionsText { (regionsText, regions) = (regionsNow, regionsNow.split(separator: ",").map(String.init)) }
            keys.append(
                StoredKey(
                    keyData: keyData, transmissionRisk: Int(sqlite3_column_int64(handle, 1)), intervalNumber: Int32(sqlite3_column_int64(handle, 2)),
                    intervalCount: Int32(sqlite3_column_int64(handle, 3)), reportType: text(handle, 4) ?? "",
                    daysSinceOnset: integer(handle, 5).map(Int32.init), regions: regions, traveler: sqlite3_column_int64(handle, 7) != 0,
                    createdAt: created,
                    revision: text(handle, 9).map {
                        KeyRevision(
                            keyData: keyData, reportType: $0, transmissionRisk: integer(handle, 10).map(Int.init) ?? 0,
                            daysSinceOnset: integer(handle, 11).map(Int32.init))
                    }))
        }
        return keys
    }

    private func text(_ handle: OpaquePointer, _ column: Int32) -> String? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let bytes = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: bytes)
    }

    private func integer(_ handle: OpaquePointer, _ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    /// SQLite copies the value before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
