import Foundation
import GRDB
import Testing
@testable import MigrationStores

/// A key store written by an earlier version opens with its national files intact.
@Suite("SQLite key store migrations")
struct SQLiteKeyStoreMigrationTests {
    @Test("a store whose keys were assigned to national files before v3 keeps them; only new keys are assigned")
    func nationalFilesSurviveV3() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-v2-\(UUID().uuidString)/keys.db").path
        let created = "2026-11-30 12:00:00.000"
        do {
            // The store as version 2 left it: two keys assigned to one written national file, one not yet.
            let database = try SQLiteFile.open(path: path, migrator: DatabaseMigrator())
            try SQLiteKeyStore.migrator.migrate(database, upTo: "v2-revisions-and-national-files")
            try await database.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO national_file (id, name, batch_start, batch_end, number, file_count, key_count, digest)
                            VALUES (7, 'exposureKeyExport-US/1-2-00001.zip', 1, 2, 1, 1, 2, 'abc');
                        """)
                for (byte, file) in [(1, 7), (2, 7), (3, nil)] as [(UInt8, Int?)] {
                    try db.execute(
                        sql: """
                            INSERT INTO exposure (exposure_key, transmission_risk, interval_number, interval_count, report_type, regions,
                                traveler, created_at, national_file_id) VALUES (?, 4, 2900000, 144, 'confirmed', 'US-XX', 0, ?, ?)
                            """, arguments: [Data(repeating: byte, count: 16), created, file])
                }
            }
        }
        let store = try SQLiteKeyStore(path: path)
        let kept = try await store.keys(inNationalFile: "exposureKeyExport-US/1-2-00001.zip")
        #expect(kept.map(\.keyData) == [Data(repeating: 1, count: 16), Data(repeating: 2, count: 16)])
        // v10: the file's key range is on its row, taken from national_key before its by-file index went.
        let (range, index) = try DatabaseQueue(path: path).read { db in
            (
                try Row.fetchOne(db, sql: "SELECT first_key, last_key FROM national_file WHERE id = 7"),
                try String.fetchOne(db, sql: "SELECT name FROM sqlite_master WHERE name = 'national_key_file'")
            )
        }
        #expect(range?["first_key"] == Data(repeating: 1, count: 16) && range?["last_key"] == Data(repeating: 2, count: 16))
        #expect(index == nil)
        let assigned = try await store.assignNationalFiles(
            root: "exposureKeyExport-US", maxKeysPerFile: 10,
            cutoff: Date(timeIntervalSince1970: 1_900_000_000))
        #expect(assigned.map(\.keyCount) == [1])
        #expect(try await store.keys(inNationalFile: assigned[0].name).map(\.keyData) == [Data(repeating: 3, count: 16)])
        #expect(
            try await store.assignNationalFiles(
                root: "exposureKeyExport-US", maxKeysPerFile: 10,
                cutoff: Date(timeIntervalSince1970: 1_900_000_000)
            ).isEmpty)
    }
}
