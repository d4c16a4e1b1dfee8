import Foundation
import Testing

/// `plan` (the dry run) and `status` read; they never change a store. Every SQLite file of a run
/// in progress keeps its bytes, and no database is created (SQLite's own `-wal`/`-shm`
/// companions, which any reader of a WAL database makes, aside).
@Suite("plan and status change no store")
struct ReadOnlyCommandsTests {
    /// Each database file under the folder with its content.
    static func databases(in folder: URL) throws -> [String: Data] {
        var found: [String: Data] = [:]
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard url.pathExtension == "db" else { continue }
            found[url.path.replacingOccurrences(of: folder.path, with: "")] = try Data(contentsOf: url)
        }
        return found
    }

    @Test("after a pass of apply, plan and status leave every database byte for byte as it was")
    func readOnly() throws {
        let folder = try PlanFolder.make(clientFiles: 3, keysPerFile: 20)
        let applied = try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder)
        #expect(applied.status == 4, "\(applied.stdout)\n\(applied.stderr)")
        let before = try Self.databases(in: folder)
        #expect(
            before.keys.contains { $0.hasSuffix("national-keys.db") } && before.keys.contains { $0.hasSuffix("us-xx.db") }
                && before.keys.contains { $0.hasSuffix("ledger.db") }, "\(before.keys)")

        let dry = try CommandRunner.run(["plan", "plan.yaml"], in: folder)
        #expect([0, 2].contains(dry.status), "\(dry.stdout)\n\(dry.stderr)")
        let status = try CommandRunner.run(["status", "plan.yaml"], in: folder)
        #expect(status.status == 0 && status.stdout.contains("export-importer: 3 second-feed files imported"), "\(status.stdout)\n\(status.stderr)")
        #expect(try Self.databases(in: folder) == before)
    }

    @Test("a store an older enmigrate made is not migrated by status or plan: they say so and change nothing")
    func olderStoreNotMigrated() throws {
        let folder = try PlanFolder.make(clientFiles: 2, keysPerFile: 10)
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        // The key store as the enmigrate before import_file.source_version left it.
        let older = try CommandRunner.shell(
            """
            sqlite3 .enmigrate/national-keys.db "DELETE FROM grdb_migrations WHERE identifier = 'v7-import-source-version'; \
            ALTER TABLE import_file DROP COLUMN source_version; VACUUM;"
            """, in: folder)
        try #require(older.status == 0, "\(older.output)")
        let before = try Self.databases(in: folder)
        let status = try CommandRunner.run(["status", "plan.yaml"], in: folder)
        #expect(status.stdout.contains("was made by an older enmigrate: `enmigrate apply` migrates it"), "\(status.stdout)\n\(status.stderr)")
        _ = try CommandRunner.run(["plan", "plan.yaml"], in: folder)
        #expect(try Self.databases(in: folder) == before)
    }

    @Test("on a plan not started, plan and status create no database")
    func createsNothing() throws {
        let folder = try PlanFolder.make(clientFiles: 2, keysPerFile: 10)
        _ = try CommandRunner.run(["plan", "plan.yaml"], in: folder)
        _ = try CommandRunner.run(["status", "plan.yaml"], in: folder)
        #expect(try Self.databases(in: folder).isEmpty)
    }
}
