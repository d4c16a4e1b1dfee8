import Foundation
import LoopbackFeedServer
import Testing

/// Two `apply` processes on one run whose journal, run lock and key store are in PostgreSQL
/// (`journal: postgres://…`, one schema for both), against the throwaway server of scripts/with-postgres.
@Suite("journal: postgres:// — two apply processes on one run", .enabled(if: ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"] != nil))
struct PostgresJournalCommandTests {
    @Test("one apply holds the run and a second exits 5 naming it; killed mid-step, the second takes over and ends with every key exactly once")
    func twoReplicas() async throws {
        let (folder, server) = try await ImportCrashTests().externalFeedPlan()
        let database = try #require(ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"])
        let schema = "replicas_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let url = database + "&schema=" + schema
        let plan = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: plan, encoding: .utf8)
            .replacingOccurrences(of: "journal: sqlite:.enmigrate/us-xx.db", with: "journal: \"\(url)\"")
            .replacingOccurrences(of: "keyStore: sqlite:.enmigrate/national-keys.db", with: "keyStore: \"\(url)\"")
            .write(to: plan, atomically: true, encoding: .utf8)
        let names = try String(contentsOf: folder.appendingPathComponent("second-cdn/\(PlanFolder.clientRoot)/index.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        // The first replica gets stuck on one file in the middle of its step, for as long as the test wants.
        server.inject(.hold, for: names[3], times: 1)
        let first = Process()
        first.executableURL = CommandRunner.binary
        first.arguments = ["apply", "plan.yaml", "--once", "--json"]
        first.currentDirectoryURL = folder
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        while server.requestCount(for: names[3]) == 0, first.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(first.isRunning, "the first replica ended before it reached the held file")

        let second = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(second.status == 5, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stderr.contains("the run lock is held by") && second.stderr.contains("pid \(first.processIdentifier)"), "\(second.stderr)")

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let takeover = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(takeover.status == 4, "\(takeover.stdout)\n\(takeover.stderr)")
        #expect(takeover.stdout.contains("pid \(first.processIdentifier)"), "the takeover is not reported: \(takeover.stdout)")

        let keys = try CommandRunner.shell("psql '\(database)' -Atc 'SELECT count(*), count(DISTINCT exposure_key) FROM \(schema).exposure'").output
        #expect(keys.trimmingCharacters(in: .whitespacesAndNewlines) == "\(ImportCrashTests.files * ImportCrashTests.keysPerFile)|\(ImportCrashTests.files * ImportCrashTests.keysPerFile)")
        // One writer at a time: fences never go back, and the second replica's records follow the first's.
        let fences = try CommandRunner.shell("psql '\(database)' -Atc 'SELECT fence FROM \(schema).journal_record ORDER BY seq'").output
            .split(separator: "\n").compactMap { Int($0) }
        #expect(fences == fences.sorted() && Set(fences).count == 2, "\(fences)")
        let status = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--verify-journal"], in: folder) }
        #expect(status.status == 0 && status.stdout.contains("phase:    key-rotation"), "\(status.stdout)\n\(status.stderr)")
        await server.stop()
    }
}
