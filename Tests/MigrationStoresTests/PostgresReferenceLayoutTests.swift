import Foundation
import MigrationStores
import PostgresNIO
import Testing

/// `layout=reference`: keys land in a reference server's `exposure` table (base64 text keys,
/// a regions array, report type text, local_provenance false), so its own export worker
/// publishes them. The table here has the reference server's columns and constraints
/// (its migrations 1, 31, 32 and 35).
@Suite("PostgreSQL key store, reference server layout", .enabled(if: TestPostgres.url != nil))
struct PostgresReferenceLayoutTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A fresh schema holding a reference-server-shaped `exposure` table; returns its name.
    func referenceTable() async throws -> String {
        let schema = try TestPostgres.freshSchema().schema
        let database = try PostgresDatabase(location: try TestPostgres.freshSchema(), migrations: [PostgresMigration("reference-table", [
            "CREATE SCHEMA \(schema)",
            """
            CREATE TABLE \(schema).exposure (
                exposure_key VARCHAR(30) PRIMARY KEY, transmission_risk INT NOT NULL, app_package_name VARCHAR(100),
                regions VARCHAR(5)[], interval_number INT NOT NULL, interval_count INT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
                local_provenance BOOLEAN NOT NULL, sync_id INT, health_authority_id INT, report_type VARCHAR(20) DEFAULT '' NOT NULL,
                days_since_symptom_onset INT, revised_report_type VARCHAR(20), revised_at TIMESTAMPTZ, revised_days_since_symptom_onset INT,
                revised_transmission_risk INT, traveler BOOL NOT NULL DEFAULT false, export_import_id INT, import_file_id INT,
                revised_import_file_id INT)
            """,
        ])])
        _ = try await database.query("SELECT 1")
        return "\(schema).exposure"
    }

    func store(table: String) throws -> PostgresKeyStore {
        let tracking = try TestPostgres.freshSchema()
        return try PostgresKeyStore(location: try PostgresLocation(url: try #require(TestPostgres.url) + "&schema=\(tracking.schema)&layout=reference&table=\(table)"))
    }

    func keys(_ range: Range<Int>, type: String = "confirmed") -> [StoredKey] {
        range.map { index in
            StoredKey(keyData: Data((0..<16).map { UInt8(($0 * 7 + index) & 0xFF) }), transmissionRisk: index % 8 + 1,
                      intervalNumber: 2_650_000 + Int32(index), daysSinceOnset: index % 2 == 0 ? 3 : nil, regions: ["US-XX"],
                      createdAt: now).with(reportType: type)
        }
    }

    @Test("keys are stored once as base64 text, read back whole, and revised in place")
    func importsIntoReferenceTable() async throws {
        let table = try await referenceTable()
        let store = try store(table: table)
        #expect(try await store.importFile(url: "a.zip", digest: "d", keys: keys(0..<20, type: "likely"), at: now) == 20)
        #expect(try await store.importFile(url: "b.zip", digest: "e", keys: keys(10..<30, type: "likely"), at: now) == 10)
        #expect(try await store.keyCount() == 30)
        let first = keys(0..<1, type: "likely")[0]
        #expect(try await store.key(first.keyData) == first)
        let outcome = try await store.importFile(url: "c.zip", digest: "f", keys: [], revisions: [
            KeyRevision(keyData: first.keyData, reportType: "confirmed", transmissionRisk: 6, daysSinceOnset: 2),
        ], at: now)
        #expect(outcome.revised == 1)
        #expect(try await store.key(first.keyData)?.revision?.reportType == "confirmed")
        // What the reference server's export worker reads: base64 keys, not local.
        let database = try PostgresDatabase(location: try TestPostgres.freshSchema(), migrations: [])
        let rows = try await database.query(PostgresQuery(unsafeSQL: """
            SELECT exposure_key, local_provenance, regions::text FROM \(table) WHERE exposure_key = '\(first.keyData.base64EncodedString())'
            """))
        var found = 0
        for try await (key, local, regions) in rows.decode((String, Bool, String).self) {
            #expect(key == first.keyData.base64EncodedString() && !local && regions == "{US-XX}")
            found += 1
        }
        #expect(found == 1)
        let files = try await store.importFiles()
        #expect(files.map(\.url) == ["a.zip", "b.zip", "c.zip"] && files.allSatisfy { $0.status == .imported })
    }

    @Test("a missing table is refused naming it; enmigrate's national export is refused with the reason")
    func refusals() async throws {
        let missing = try store(table: "nowhere_\(UUID().uuidString.prefix(8).lowercased()).exposure")
        await #expect { try await missing.importFile(url: "a.zip", digest: "d", keys: keys(0..<1), at: now) } throws: { error in
            "\(error)".contains("does not exist")
        }
        let store = try store(table: try await referenceTable())
        await #expect { try await store.assignNationalFiles(root: "r", maxKeysPerFile: 10, cutoff: now) } throws: { error in
            "\(error)".contains("national server's own export worker")
        }
    }
}

private extension StoredKey {
    func with(reportType: String) -> StoredKey {
        var key = self
        key.reportType = reportType
        return key
    }
}

@Suite("PostgreSQL migrations", .enabled(if: TestPostgres.url != nil))
struct PostgresMigrationTests {
    @Test("replicas opening a new store together migrate it once; a dry run before creates nothing")
    func concurrentMigration() async throws {
        let location = try TestPostgres.freshSchema()
        let dryRun = try PostgresKeyStore(location: location, readOnly: true)
        let dryCount = try await dryRun.keyCount(), dryFiles = try await dryRun.importFiles()
        #expect(dryCount == 0 && dryFiles.isEmpty)
        let stores = try (0..<4).map { _ in try PostgresKeyStore(location: location) }
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for store in stores { group.addTask { try await store.keyCount() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == [0, 0, 0, 0])
        let database = try PostgresDatabase(location: try TestPostgres.freshSchema(), migrations: [])
        let rows = try await database.query(PostgresQuery(unsafeSQL: """
            SELECT count(*), count(DISTINCT name) FROM \(location.schema).schema_migration WHERE name LIKE '000%'
            """))
        let applied = try await rows.decode((Int64, Int64).self).first { _ in true }
        // Each of the key store's five migrations (0001-key-store, 0002-import-claims, 0003-national-revisions,
        // 0004-import-refused-keys-and-note, 0005-import-source-version) exactly once.
        #expect(applied.map { [$0.0, $0.1] } == [5, 5])
    }
}
