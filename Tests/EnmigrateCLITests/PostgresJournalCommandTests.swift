import Foundation
import LoopbackFeedServer
import Testing

/// Two `apply` processes on one run whose journal, run lock and key store are in PostgreSQL
/// (`journal: postgres://…`, one schema for both), against the throwaway server of scripts/with-postgres.
@Suite("journal: postgres:// — two apply processes on one run", .enabled(if: ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"] != nil))
struct PostgresJournalCommandTests {
    let database = ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"] ?? ""
    let keys = ImportCrashTests.files * ImportCrashTests.keysPerFile

    /// The import-crash plan (24 files of an external second feed on a loopback server) with its
    /// journal and key store in one fresh PostgreSQL schema.
    func replicaPlan() async throws -> (folder: URL, server: LoopbackFeedServer, schema: String, names: [String]) {
        let (folder, server) = try await ImportCrashTests().externalFeedPlan()
        let schema = "replicas_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let url = database + "&schema=" + schema
        let plan = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: plan, encoding: .utf8)
            .replacingOccurrences(of: "journal: sqlite:.enmigrate/us-xx.db", with: "journal: \"\(url)\"")
            .replacingOccurrences(of: "keyStore: sqlite:.enmigrate/national-keys.db", with: "keyStore: \"\(url)\"")
            .write(to: plan, atomically: true, encoding: .utf8)
        let names = try String(contentsOf: folder.appendingPathComponent("second-cdn/\(PlanFolder.clientRoot)/index.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        return (folder, server, schema, names)
    }

    func psql(_ query: String) throws -> String {
        try CommandRunner.shell("psql '\(database)' -Atc \"\(query)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `apply PLAN --once --json` in the background and returns once it is stuck on
    /// `file` (held by the server until the test releases it), or has ended without reaching it.
    func startHeld(on file: String, in folder: URL, server: LoopbackFeedServer) async throws -> Process {
        server.inject(.hold, for: file, times: 1)
        let requestsBefore = server.requestCount(for: file)
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["apply", "plan.yaml", "--once", "--json"]
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while server.requestCount(for: file) == requestsBefore, process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return process
    }

    /// Runs the plan up to the importing phase, so the next apply starts with the import.
    func reachImporting(_ folder: URL) async throws {
        let reached = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--until", "importing"], in: folder) }
        #expect(reached.status == 0, "\(reached.stdout)\n\(reached.stderr)")
    }

    @Test("a second apply while the first imports joins the import: each file imported once, by one of them")
    func replicasShareTheImport() async throws {
        let (folder, server, schema, names) = try await replicaPlan()
        try await reachImporting(folder)
        // The holder claims the first files and is held on the first of them.
        let holder = try await startHeld(on: names[0], in: folder, server: server)
        #expect(holder.isRunning, "the holder ended before it reached the held file")

        let joiner = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(joiner.status == 0, "\(joiner.stdout)\n\(joiner.stderr)")
        #expect(joiner.stdout.contains("joined the import of the run held by") && joiner.stdout.contains("pid \(holder.processIdentifier)"), "\(joiner.stdout)")
        let joinedFiles = try #require(joiner.stdout.split(separator: ":").last?.split(separator: " ").first.flatMap { Int($0) })
        #expect(joinedFiles > 0 && joinedFiles < names.count, "\(joiner.stdout)")

        server.releaseHeld()
        holder.waitUntilExit()
        #expect(holder.terminationStatus == 4, "the holder did not finish the import and wait at the key-rotation gate")
        #expect(try psql("SELECT count(*), count(DISTINCT exposure_key) FROM \(schema).exposure") == "\(keys)|\(keys)")
        // Every file imported exactly once: one attempt each, by one replica.
        #expect(try psql("SELECT count(*) FROM \(schema).import_file WHERE status = 'imported' AND attempts = 1") == "\(names.count)")
        await server.stop()
    }

    @Test("a replica killed mid-import loses its claimed files at once to the one that takes the run over")
    func killedMidImport() async throws {
        let (folder, server, schema, names) = try await replicaPlan()
        try await reachImporting(folder)
        let first = try await startHeld(on: names[0], in: folder, server: server)
        #expect(try psql("SELECT count(*) FROM \(schema).import_claim") != "0", "the first replica claimed nothing")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        server.releaseHeld()

        let takeover = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(takeover.status == 4, "\(takeover.stdout)\n\(takeover.stderr)")
        #expect(!takeover.stdout.contains("another replica is importing"), "it waited for the dead replica's claims: \(takeover.stdout)")
        #expect(try psql("SELECT count(*), count(DISTINCT exposure_key) FROM \(schema).exposure") == "\(keys)|\(keys)")
        #expect(try psql("SELECT count(*) FROM \(schema).import_file WHERE status = 'imported'") == "\(names.count)")
        await server.stop()
    }

    @Test("one apply holds the run and a second exits 5 naming it; killed mid-step, the second takes over and ends with every key exactly once")
    func twoReplicas() async throws {
        let (folder, server, schema, names) = try await replicaPlan()
        // The first replica gets stuck on one file in the middle of its step, for as long as the test wants.
        let first = try await startHeld(on: names[3], in: folder, server: server)
        #expect(first.isRunning, "the first replica ended before it reached the held file")

        let second = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(second.status == 5, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stderr.contains("the run lock is held by") && second.stderr.contains("pid \(first.processIdentifier)"), "\(second.stderr)")

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let takeover = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(takeover.status == 4, "\(takeover.stdout)\n\(takeover.stderr)")
        #expect(takeover.stdout.contains("pid \(first.processIdentifier)"), "the takeover is not reported: \(takeover.stdout)")

        #expect(try psql("SELECT count(*), count(DISTINCT exposure_key) FROM \(schema).exposure") == "\(keys)|\(keys)")
        // One writer at a time: fences never go back, and the second replica's records follow the first's.
        let fences = try psql("SELECT fence FROM \(schema).journal_record ORDER BY seq").split(separator: "\n").compactMap { Int($0) }
        #expect(fences == fences.sorted() && Set(fences).count == 2, "\(fences)")
        let status = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--verify-journal"], in: folder) }
        #expect(status.status == 0 && status.stdout.contains("phase:    key-rotation"), "\(status.stdout)\n\(status.stderr)")
        await server.stop()
    }
}
