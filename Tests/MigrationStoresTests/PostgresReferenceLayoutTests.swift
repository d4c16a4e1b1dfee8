import Foundation
import MigrationStores
import PostgresNIO
import Testing

/// `layout=reference`: keys land in a reference server's `exposure` table so that its own
/// export worker publishes them exactly as keys its own export-importer wrote. The database
/// has the final shape of the reference tables (Tests/Fixtures/reference-server-schema.sql);
/// what the reference reads is read with its own batch query and scanned the way its Go code
/// scans (non-null where it scans into non-null types).
@Suite("PostgreSQL key store, reference server layout", .enabled(if: TestPostgres.url != nil))
struct PostgresReferenceLayoutTests {
    /// 2027-01-15T08:00:00Z, on the hour.
    let hour0 = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 3600))
    let lineage = ReferenceLineage(
        indexFile: "https://state.example/second/exposureKeyExport-US-XX/index.txt",
        exportRoot: "https://state.example/second/", region: "US")

    func openStore(_ server: ReferenceServerFixture, lineage: ReferenceLineage? = nil, readOnly: Bool = false) throws -> PostgresKeyStore {
        let tracking = try TestPostgres.freshSchema()
        return try PostgresKeyStore(
            location: try PostgresLocation(url: try #require(TestPostgres.url) + "&schema=\(tracking.schema)&layout=reference&table=\(server.table)"),
            lineage: lineage ?? self.lineage, readOnly: readOnly)
    }

    /// Expired keys, dated on three hours as the importer dates them, some without onset.
    func keys(_ range: Range<Int>, type: String = "likely") -> [StoredKey] {
        range.map { index in
            var key = StoredKey(
                keyData: Data((0..<16).map { UInt8(($0 * 7 + index) & 0xFF) }), transmissionRisk: index % 8 + 1,
                intervalNumber: 2_900_000 + Int32(index), daysSinceOnset: index % 2 == 0 ? 3 : nil, regions: ["US"],
                createdAt: hour0.addingTimeInterval(TimeInterval(index % 3) * 3600))
            key.reportType = type
            return key
        }
    }

    func scalar<T: PostgresDecodable & Sendable>(_ server: ReferenceServerFixture, _ sql: String, as type: T.Type) async throws -> T? {
        var value: T?
        for try await row in try await server.database.query(PostgresQuery(unsafeSQL: sql)).decode(T.self) { value = row }
        return value
    }

    @Test("the reference export worker's batch query returns every migrated key once, in its window, with every scanned column set")
    func publishedLikeItsOwnImport() async throws {
        let server = try await ReferenceServerFixture.create()
        try await server.addExportConfig(root: "exposureKeyExport-US", output: "US")
        let store = try openStore(server)
        #expect(try await store.importFile(url: "exposureKeyExport-US-XX/1.zip", digest: "d", keys: keys(0..<20), at: hour0) == 20)
        #expect(try await store.importFile(url: "exposureKeyExport-US-XX/2.zip", digest: "e", keys: keys(10..<30), at: hour0) == 10)

        var seen: [Data] = []
        for window in 0..<4 {
            let start = hour0.addingTimeInterval(TimeInterval(window) * 3600)
            let batch = try await server.batch(region: "US", from: start, until: start.addingTimeInterval(3600), revised: false)
            for row in batch {
                #expect(row.createdAt >= start && row.createdAt < start.addingTimeInterval(3600))
                #expect(row.appPackageName == "exportimport" && !row.localProvenance && row.regions == ["US"] && row.reportType == "likely")
                #expect(row.key.count == 16)
            }
            seen += batch.map(\.key)
        }
        #expect(seen.count == 30 && Set(seen) == Set(keys(0..<30).map(\.keyData)), "each migrated key exactly once")

        // The keys hang on one exportimport row (closed, so the reference importer does not run
        // it) and on one COMPLETE importfile row per file, named as the reference names them.
        let exportImports = try await scalar(
            server,
            "SELECT count(*) FROM \(server.schema).exportimport WHERE index_file = '\(lineage.indexFile)' AND region = 'US' AND thru_timestamp = from_timestamp",
            as: Int64.self)
        #expect(exportImports == 1)
        let linked = try await scalar(
            server,
            """
            SELECT count(*) FROM \(server.table) e JOIN \(server.schema).importfile f ON f.id = e.import_file_id AND f.export_import_id = e.export_import_id
            JOIN \(server.schema).exportimport i ON i.id = e.export_import_id
            WHERE f.status = 'COMPLETE' AND f.zip_filename LIKE 'https://state.example/second/exposureKeyExport-US-XX/_.zip'
            """, as: Int64.self)
        #expect(linked == 30)

        // A second store (the next run, another replica) reuses the row.
        let again = try openStore(server)
        #expect(try await again.importFile(url: "exposureKeyExport-US-XX/2.zip", digest: "e", keys: keys(10..<30), at: hour0) == 0)
        #expect(try await scalar(server, "SELECT count(*) FROM \(server.schema).exportimport", as: Int64.self) == 1)

        let report = try await store.referencePublishReport(now: hour0)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.migratedKeys == 30 && report.selectedKeys == 30)
    }

    @Test("revisions arrive as revised columns the revised-key query reads: hour-truncated revised_at, the file's importfile row")
    func revisionsAsRevisedColumns() async throws {
        let server = try await ReferenceServerFixture.create()
        let store = try openStore(server)
        // Key 1 expires in the future (valid now): the reference dates its revision at its
        // expiry plus an hour, truncated.
        var valid = keys(1..<2)[0]
        valid.intervalNumber = Int32(hour0.timeIntervalSince1970 / 600) + 5
        _ = try await store.importFile(url: "exposureKeyExport-US-XX/1.zip", digest: "d", keys: keys(0..<1) + [valid], at: hour0)
        let at = hour0.addingTimeInterval(5 * 3600 + 17 * 60)
        let outcome = try await store.importFile(
            url: "exposureKeyExport-US-XX/3.zip", digest: "f", keys: [],
            revisions: [
                KeyRevision(keyData: keys(0..<1)[0].keyData, reportType: "confirmed", transmissionRisk: 2, daysSinceOnset: 10),
                KeyRevision(keyData: valid.keyData, reportType: "negative", transmissionRisk: 6, daysSinceOnset: 10),
            ], at: at)
        #expect(outcome.revised == 2)
        let revised = try await server.batch(region: "US", from: hour0.addingTimeInterval(5 * 3600), until: hour0.addingTimeInterval(6 * 3600), revised: true)
        #expect(revised.map(\.key) == [keys(0..<1)[0].keyData])
        #expect(revised.first?.revisedAt == hour0.addingTimeInterval(5 * 3600))
        #expect(revised.first?.revisedReportType == "confirmed" && revised.first?.revisedDaysSinceOnset == 10)
        let expiry = (TimeInterval(valid.intervalNumber) + 144) * 600
        let validRevisedAt = try await scalar(
            server, "SELECT revised_at FROM \(server.table) WHERE exposure_key = '\(valid.keyData.base64EncodedString())'", as: Date.self)
        #expect(validRevisedAt == Date(timeIntervalSince1970: ((expiry + 3600) / 3600).rounded(.down) * 3600))
        let fromFile = try await scalar(
            server,
            """
            SELECT count(*) FROM \(server.table) e JOIN \(server.schema).importfile f ON f.id = e.revised_import_file_id
            WHERE f.zip_filename = 'https://state.example/second/exposureKeyExport-US-XX/3.zip'
            """, as: Int64.self)
        #expect(fromFile == 2)
    }

    @Test("a revision of a key the migration did not import is refused, as the reference refuses one from another source")
    func foreignKeyRevision() async throws {
        let server = try await ReferenceServerFixture.create()
        let own = Data(repeating: 0xAB, count: 16)
        try await server.execute(
            """
            INSERT INTO \(server.table) (exposure_key, transmission_risk, app_package_name, regions, interval_number, interval_count, created_at,
                local_provenance, report_type) VALUES ('\(own.base64EncodedString())', 4, 'gov.app', ARRAY['US'], 2900000, 144, now(), true, 'likely')
            """)
        let store = try openStore(server)
        let outcome = try await store.importFile(
            url: "exposureKeyExport-US-XX/1.zip", digest: "d", keys: [],
            revisions: [
                KeyRevision(keyData: own, reportType: "confirmed", transmissionRisk: 2, daysSinceOnset: 10)
            ], at: hour0)
        #expect(outcome.revised == 0 && outcome.refusedRevisions.map(\.code) == ["revision-foreign-key"])
        #expect(try await scalar(server, "SELECT count(*) FROM \(server.table) WHERE revised_at IS NOT NULL", as: Int64.self) == 0)
    }

    @Test("the publish check names the export config that would not publish the keys, and rows the Go scan cannot read")
    func publishCheckFails() async throws {
        let server = try await ReferenceServerFixture.create()
        try await server.addExportConfig(root: "exposureKeyExport-CA", output: "CA", input: ["CA"])
        let store = try openStore(server)
        var report = try await store.referencePublishReport(now: hour0)
        #expect(report.problems.count == 1)
        #expect(
            report.problems.first?.contains(
                "no active export config in \(server.schema).exportconfig publishes region US: config 1 (exposureKeyExport-CA: output CA, input [CA])") == true,
            "\(report.problems)")
        // Excluding the region refuses too; a config with no input regions and output US publishes.
        try await server.addExportConfig(root: "exposureKeyExport-all", output: "ALL", input: ["US", "CA"], exclude: ["US"])
        #expect(try await store.referencePublishReport(now: hour0).problems.first?.contains("exclude [US]") == true)
        try await server.addExportConfig(root: "exposureKeyExport-US", output: "US")
        _ = try await store.importFile(url: "exposureKeyExport-US-XX/1.zip", digest: "d", keys: keys(0..<6), at: hour0)
        report = try await store.referencePublishReport(now: hour0)
        #expect(report.problems.isEmpty && report.selectedKeys == 6, "\(report.problems)")

        // A row as the issue found them (no app package name) fails the Go scan and the check.
        try await server.execute("UPDATE \(server.table) SET app_package_name = NULL WHERE exposure_key = '\(keys(0..<1)[0].keyData.base64EncodedString())'")
        await #expect(throws: (any Error).self) {
            _ = try await server.batch(region: "US", from: hour0, until: hour0.addingTimeInterval(3600), revised: false)
        }
        report = try await store.referencePublishReport(now: hour0)
        #expect(report.problems.contains { $0.contains("1 migrated rows of \(server.table) have no app_package_name") }, "\(report.problems)")
        #expect(report.problems.contains { $0.contains("app_package_name is NULL, which the export worker scans into a non-null value") }, "\(report.problems)")
    }

    @Test("a schema the reference code would not take is refused before a key is written, naming what is wrong; mended, the same store goes on")
    func schemaRefusals() async throws {
        let missing = try PostgresKeyStore(
            location: try PostgresLocation(
                url: try #require(TestPostgres.url)
                    + "&schema=\(try TestPostgres.freshSchema().schema)&layout=reference&table=nowhere_\(UUID().uuidString.prefix(8).lowercased()).exposure"),
            lineage: lineage)
        await #expect { try await missing.importFile(url: "a.zip", digest: "d", keys: keys(0..<1), at: hour0) } throws: { "\($0)".contains("does not exist") }

        let server = try await ReferenceServerFixture.create()
        try await server.execute("ALTER TABLE \(server.schema).importfile RENAME TO importfile_aside")
        try await server.execute("ALTER TABLE \(server.table) ADD COLUMN operator_note TEXT NOT NULL")
        try await server.execute("ALTER TABLE \(server.table) ALTER COLUMN regions TYPE TEXT")
        let store = try openStore(server)
        await #expect { try await store.importFile(url: "a.zip", digest: "d", keys: keys(0..<1), at: hour0) } throws: { error in
            let text = "\(error)"
            return text.contains("\(server.schema).importfile does not exist") && text.contains("enmigrate does not write: operator_note")
                && text.contains("\(server.table).regions is text")
        }
        #expect(try await scalar(server, "SELECT count(*) FROM \(server.table)", as: Int64.self) == 0)
        // The operator mends the schema while the process runs: the same store goes on.
        try await server.execute("ALTER TABLE \(server.schema).importfile_aside RENAME TO importfile")
        try await server.execute("ALTER TABLE \(server.table) DROP COLUMN operator_note")
        try await server.execute("ALTER TABLE \(server.table) ALTER COLUMN regions TYPE TEXT[] USING ARRAY[regions]")
        #expect(try await store.importFile(url: "a.zip", digest: "d", keys: keys(0..<1), at: hour0) == 1)
        await #expect { try await store.assignNationalFiles(root: "r", maxKeysPerFile: 10, cutoff: hour0) } throws: { error in
            "\(error)".contains("national server's own export worker")
        }
    }

    @Test("a dry run creates no exportimport row and reads as having imported nothing")
    func dryRunCreatesNothing() async throws {
        let server = try await ReferenceServerFixture.create()
        try await server.addExportConfig(root: "exposureKeyExport-US", output: "US")
        let dry = try openStore(server, readOnly: true)
        #expect(try await dry.keyCount() == 0)
        let report = try await dry.referencePublishReport(now: hour0)
        #expect(report.problems.isEmpty && report.facts.contains("no keys imported yet"))
        #expect(try await scalar(server, "SELECT count(*) FROM \(server.schema).exportimport", as: Int64.self) == 0)
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
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT count(*), count(DISTINCT name) FROM \(location.schema).schema_migration WHERE name LIKE '000%'
                    """))
        let applied = try await rows.decode((Int64, Int64).self).first { _ in true }
        // Each of the key store's five migrations (0001-key-store, 0002-import-claims, 0003-national-revisions,
        // 0004-import-refused-keys-and-note, 0005-import-source-version) exactly once.
        #expect(applied.map { [$0.0, $0.1] } == [5, 5])
    }
}
