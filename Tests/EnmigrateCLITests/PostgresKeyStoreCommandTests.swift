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
        let tables = try CommandRunner.shell("psql '\(server)' -Atc \"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '\(schema)'\"").output
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
