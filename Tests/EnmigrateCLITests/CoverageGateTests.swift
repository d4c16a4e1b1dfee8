import Foundation
import LoopbackFeedServer
import Testing

/// The issue's own case, as an operator meets it: the state's CDN answers HTTP 503 for one of
/// five client files for a while. Before three-valued coverage the run reached the gate with
/// "coverage: passed — all 4 files' keys" and the approval swapped 1 file's keys away for good.
@Suite("The key-rotation gate stays shut while any client file is unread")
struct CoverageGateTests {
    func stateOnLoopback() async throws -> (folder: URL, server: LoopbackFeedServer, names: [String]) {
        let folder = try PlanFolder.make(clientFiles: 0)
        let names = try PlanFolder.writeFeed(in: folder, cdn: "srv/state/cdn", keyName: "state-client", keyVersion: "v1", files: 5, keysPerFile: 40)
        let server = try await LoopbackFeedServer.start(serving: folder.appendingPathComponent("srv/state/cdn"))
        let planURL = folder.appendingPathComponent("plan.yaml")
        let text = try String(contentsOf: planURL, encoding: .utf8)
            .replacingOccurrences(
                of: "file:client-cdn/exposureKeyExport-US-XX/index.txt",
                with: "\(server.baseURL.absoluteString)exposureKeyExport-US-XX/index.txt")
        try text.write(to: planURL, atomically: true, encoding: .utf8)
        return (folder, server, names)
    }

    func json(_ output: CommandRunner.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.stdout)\n\(output.stderr)")
    }

    @Test(
        "a client file answering 503 keeps the gate shut (exit 3) and is named by apply, status and verify; served again, the run reaches the gate with all 200 keys"
    )
    func unavailableClientFile() async throws {
        let (folder, server, names) = try await stateOnLoopback()
        defer { Task { await server.stop() } }
        server.inject(.status(503), for: names[3], times: nil)
        let blocked = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(blocked.status == 3, "\(blocked.stdout)\n\(blocked.stderr)")
        #expect(!blocked.stdout.contains("check coverage: passed"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("check coverage: inconclusive"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("\(names[3]): the server answered HTTP 503"))
        #expect(blocked.stdout.contains("check pipeline-drained: pending — dual-export has not re-signed 1 client files: \(names[3])"), "\(blocked.stdout)")

        let status = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder) }
        let checks = try json(status)["checks"] as? [[String: Any]] ?? []
        let coverage = checks.first { $0["name"] as? String == "coverage" }
        #expect(coverage?["outcome"] as? String == "inconclusive", "\(status.stdout)")
        #expect((coverage?["reason"] as? String)?.contains(names[3]) == true)

        let verify = try await offPool { try CommandRunner.run(["verify", "plan.yaml", "--json"], in: folder) }
        #expect(verify.status == 3)
        let proof = try json(verify)
        #expect(proof["verdict"] as? String == "inconclusive" && proof["holds"] as? Bool == false)

        server.clearFaults()
        let gate = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(gate.status == 4, "\(gate.stdout)\n\(gate.stderr)")
        #expect(gate.stdout.contains("check coverage: passed — all 200 state keys"), "\(gate.stdout)")
        // The block is history now: status shows no stale last error.
        let after = try await offPool { try CommandRunner.run(["status", "plan.yaml"], in: folder) }
        #expect(!after.stdout.contains("last error"), "\(after.stdout)")
    }

    @Test("a file that stays unavailable is a decision: accept-loss records who and why in the journal, and then the gate opens on the rest")
    func acceptedLoss() async throws {
        let (folder, server, names) = try await stateOnLoopback()
        defer { Task { await server.stop() } }
        server.inject(.status(404), for: names[1], times: nil)
        #expect(try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }.status == 3)
        let accepted = try await offPool {
            try CommandRunner.run(
                ["accept-loss", "plan.yaml", "--file", names[1], "--by", "alice", "--note", "deleted by the CDN, ticket 7", "--json"], in: folder)
        }
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(((try json(accepted))["accepted"] as? [[String: Any]])?.first?["by"] as? String == "alice")
        let gate = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(gate.status == 4, "\(gate.stdout)\n\(gate.stderr)")
        #expect(gate.stdout.contains("accepted losses: \(names[1]) (unreadable, by alice: deleted by the CDN, ticket 7)"), "\(gate.stdout)")
        let journal = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--verify-journal"], in: folder) }
        #expect(journal.status == 0, "\(journal.stdout)\n\(journal.stderr)")
        let missing = try await offPool { try CommandRunner.run(["accept-loss", "plan.yaml", "--file", names[1], "--by", "alice"], in: folder) }
        #expect(missing.status != 0 && missing.stderr.contains("--note"))
    }

    @Test("requeue puts a file refused for good back: once the state republishes it, the next pass imports it")
    func requeueFailedFile() async throws {
        let (folder, server, names) = try await stateOnLoopback()
        defer { Task { await server.stop() } }
        let good = try Data(contentsOf: folder.appendingPathComponent("srv/state/cdn/\(names[2])"))
        var bad = good
        bad[bad.count / 3] ^= 0xFF
        try bad.write(to: folder.appendingPathComponent("srv/state/cdn/\(names[2])"))
        let blocked = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(blocked.status == 4, "a file phones reject is left out, loudly: \(blocked.stdout)\n\(blocked.stderr)")
        #expect(blocked.stdout.contains("LEFT OUT: 1 state files fail a phone's verification"), "\(blocked.stdout)")
        try good.write(to: folder.appendingPathComponent("srv/state/cdn/\(names[2])"))
        let requeued = try await offPool {
            try CommandRunner.run(["requeue", "plan.yaml", "--file", names[2], "--by", "bob", "--note", "republished by the state"], in: folder)
        }
        #expect(requeued.status == 0, "\(requeued.stdout)\n\(requeued.stderr)")
        #expect(requeued.stdout.contains("requeued for dual-export"), "\(requeued.stdout)")
        // Waiting at the gate, the next pass re-signs and imports it; the proof then counts its keys.
        let gate = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(gate.status == 4, "\(gate.stdout)\n\(gate.stderr)")
        let verify = try await offPool { try CommandRunner.run(["verify", "plan.yaml", "--json"], in: folder) }
        let report = try json(verify)["report"] as? [String: Any]
        #expect((report?["state"] as? [String: Any])?["keys"] as? Int == 200, "\(verify.stdout)")
        #expect(verify.status == 0)
        let unknown = try await offPool { try CommandRunner.run(["requeue", "plan.yaml", "--file", "nope.zip", "--by", "bob"], in: folder) }
        #expect(unknown.status == 1 && unknown.stderr.contains("no failed file is named nope.zip"))
    }
}
