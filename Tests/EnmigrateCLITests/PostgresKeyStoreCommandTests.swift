import Foundation
import Testing

/// A migration whose national key store is PostgreSQL (`keyStore: postgres://…`), run through
/// the binary against the throwaway server of scripts/with-postgres.
@Suite("keyStore: postgres:// end to end", .enabled(if: ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"] != nil))
struct PostgresKeyStoreCommandTests {
    @Test("the dry run creates nothing in PostgreSQL; apply imports into it; the cut-over proves coverage from it")
    func readOnlyOnPostgres() throws {
        let folder = try PlanFolder.make(clientFiles: 4, keysPerFile: 30)
        let server = try #require(ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"])
        let schema = "cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let url = server + "&schema=" + schema
        let plan = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: plan, encoding: .utf8)
            .replacingOccurrences(of: "keyStore: sqlite:.enmigrate/national-keys.db", with: "keyStore: \"\(url)\"")
            .write(to: plan, atomically: true, encoding: .utf8)

        let dry = try CommandRunner.run(["plan", "plan.yaml"], in: folder)
        #expect(dry.status == 2, "\(dry.stdout)\n\(dry.stderr)")
        #expect(dry.stdout.contains("holds 0 keys"), "\(dry.stdout)")
        let tables = try CommandRunner.shell("psql '\(server)' -Atc \"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '\(schema)'\"")
            .output
        #expect(tables.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "a dry run created the schema")

        let applied = try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder)
        #expect(applied.status == 4, "\(applied.stdout)\n\(applied.stderr)")
        let count = try CommandRunner.shell("psql '\(server)' -Atc 'SELECT count(*) FROM \(schema).exposure'").output
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "120")
        let status = try CommandRunner.run(["status", "plan.yaml"], in: folder)
        #expect(status.stdout.contains("export-importer: 4 second-feed files imported, 0 failed for good, 0 waiting for a retry; 120 keys"), "\(status.stdout)")

        let approved = try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: folder)
        #expect(approved.status == 0, "\(approved.stdout)\n\(approved.stderr)")
        let verify = try CommandRunner.run(["verify", "plan.yaml"], in: folder)
        #expect(verify.status == 0 && verify.stdout.contains("coverage holds: all 120 state keys"), "\(verify.stdout)\n\(verify.stderr)")
    }
}

/// `layout=reference`: the national key store is a reference server's own database (the final
/// shape of its tables, Tests/Fixtures/reference-server-schema.sql).
@Suite("keyStore: a reference server's database end to end", .enabled(if: ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"] != nil))
struct ReferenceServerCommandTests {
    @Test("no key is imported until an export config would publish it; then every key lands where the reference export worker reads it")
    func refusesThenImports() throws {
        let folder = try PlanFolder.make(clientFiles: 3, keysPerFile: 25)
        let server = try #require(ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"])
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let reference = "ref_" + id
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reference-server-schema.sql")
        let sql = try String(contentsOf: fixture, encoding: .utf8).replacingOccurrences(of: "{schema}", with: reference)
        try sql.write(to: folder.appendingPathComponent("reference.sql"), atomically: true, encoding: .utf8)
        #expect(try CommandRunner.shell("psql '\(server)' -q -v ON_ERROR_STOP=1 -f '\(folder.path)/reference.sql'").status == 0)
        try execute(
            server,
            "INSERT INTO \(reference).exportconfig (filename_root, period_seconds, from_timestamp, output_region, bucket_name, input_regions) VALUES ('exposureKeyExport-CA', 3600, now() - interval '1 day', 'CA', 'b', ARRAY['CA'])"
        )

        let plan = folder.appendingPathComponent("plan.yaml")
        var text = try String(contentsOf: plan, encoding: .utf8)
            .replacingOccurrences(
                of: "keyStore: sqlite:.enmigrate/national-keys.db",
                with: "keyStore: \"\(server)&schema=cli_\(id)&layout=reference&table=\(reference).exposure\"")
        // The reference server exports the keys itself: no national.export.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix("  export:") })
        text = (lines[..<start] + lines[(start + 5)...]).joined(separator: "\n")
        try text.write(to: plan, atomically: true, encoding: .utf8)

        let refused = try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder)
        #expect(refused.status == 3, "\(refused.stdout)\n\(refused.stderr)")
        let output = refused.stdout + refused.stderr
        #expect(
            output.contains("reference-server-publishes") && output.contains("publishes region US: config 1 (exposureKeyExport-CA: output CA, input [CA])"),
            "\(output)")
        #expect(try psql(server, "SELECT count(*) FROM \(reference).exposure") == "0")

        try execute(
            server,
            "INSERT INTO \(reference).exportconfig (filename_root, period_seconds, from_timestamp, output_region, bucket_name) VALUES ('exposureKeyExport-US', 3600, now() - interval '1 day', 'US', 'b')"
        )
        let applied = try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder)
        #expect(
            try psql(
                server,
                "SELECT count(*) FROM \(reference).exposure WHERE app_package_name = 'exportimport' AND regions = ARRAY['US'] AND NOT local_provenance AND import_file_id IS NOT NULL"
            ) == "75",
            "\(applied.stdout)\n\(applied.stderr)")
        #expect(try psql(server, "SELECT count(*) FROM \(reference).importfile WHERE status = 'COMPLETE'") == "3")
        let status = try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder)
        #expect(status.stdout.contains("\"reference-server-publishes\"") && status.stdout.contains("all 75 migrated keys selected"), "\(status.stdout)")
    }

    private func psql(_ server: String, _ sql: String) throws -> String {
        try CommandRunner.shell("psql '\(server)' -Atc \"\(sql)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func execute(_ server: String, _ sql: String) throws {
        let result = try CommandRunner.shell("psql '\(server)' -q -v ON_ERROR_STOP=1 -c \"\(sql)\"")
        #expect(result.status == 0, "\(result.output)")
    }
}
