import Foundation
import LoopbackFeedServer
import MigrationEngine
import Testing

@Suite("The phone's-eye watch: the feed phones download, over its public URL, after the cut-over")
struct PhoneWatchTests {
    /// Two recent days of state files on a loopback CDN that is both the client mirror's
    /// location and the URL phones use; the run swapped to the national feed.
    func swapped() async throws -> (folder: URL, server: LoopbackFeedServer) {
        let folder = try PlanFolder.make(clientFiles: 0)
        // Days 31 and 32 after the fixture's first day: yesterday and today, so the feed is fresh.
        let today = Int((Date().timeIntervalSince1970 - 1_793_491_200) / 86_400)
        try PlanFolder.writeFeed(
            in: folder, cdn: "srv/state/cdn", keyName: "state-client", keyVersion: "v1", files: 2, keysPerFile: 30, startDay: today - 1)
        let server = try await LoopbackFeedServer.start(serving: folder.appendingPathComponent("srv/state/cdn"))
        let planURL = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: planURL, encoding: .utf8)
            .replacingOccurrences(
                of: "file:client-cdn/exposureKeyExport-US-XX/index.txt", with: "\(server.baseURL.absoluteString)exposureKeyExport-US-XX/index.txt"
            )
            .write(to: planURL, atomically: true, encoding: .utf8)
        let waiting = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(waiting.status == 4, "\(waiting.stdout)\n\(waiting.stderr)")
        let approved = try await offPool { try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "ana"], in: folder) }
        #expect(approved.status == 0, "\(approved.stdout)\n\(approved.stderr)")
        return (folder, server)
    }

    @Test("healthy after the swap; a file the CDN cannot serve, or serves damaged, makes it unhealthy (exit 3) and the steady pass reports it")
    func watch() async throws {
        let (folder, server) = try await swapped()
        defer { Task { await server.stop() } }
        let healthy = try await offPool { try CommandRunner.run(["watch", "plan.yaml", "--json"], in: folder) }
        #expect(healthy.status == 0, "\(healthy.stdout)\n\(healthy.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(healthy.stdout.utf8)) as? [String: Any])
        #expect(report["healthy"] as? Bool == true && (report["verified"] as? Int ?? 0) > 0, "\(report)")
        #expect(report["newestBatchEnd"] != nil)
        // The loopback CDN sends no Cache-Control: phones cope, the watch says so.
        let warnings = try #require(report["warnings"] as? [[String: Any]])
        #expect(warnings.contains { ($0["problem"] as? String)?.contains("Cache-Control") == true }, "\(warnings)")

        let index = try String(contentsOf: folder.appendingPathComponent("srv/state/cdn/exposureKeyExport-US-XX/index.txt"), encoding: .utf8)
        let first = try #require(index.split(separator: "\n").first.map(String.init))
        server.inject(.status(503), for: first, times: nil)
        let broken = try await offPool { try CommandRunner.run(["watch", "plan.yaml"], in: folder) }
        #expect(broken.status == 3, "\(broken.stdout)\n\(broken.stderr)")
        #expect(broken.stdout.contains("UNHEALTHY") && broken.stdout.contains("phones cannot download it"), "\(broken.stdout)")
        server.clearFaults()
        server.inject(.flipByte(at: 300), for: first, times: nil)
        let damaged = try await offPool { try CommandRunner.run(["watch", "plan.yaml"], in: folder) }
        #expect(damaged.status == 3 && damaged.stdout.contains("phones refuse it"), "\(damaged.stdout)")

        // Every steady pass looks too, and says so as the check phone-watch.
        let pass = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--json"], in: folder) }
        #expect(pass.status == 0, "\(pass.stdout)\n\(pass.stderr)")
        let records = pass.stdout.split(separator: "\n").compactMap { try? JSONDecoder().decode(EventRecord.self, from: Data($0.utf8)) }
        let looked = try #require(records.first { $0.check?.name == "phone-watch" })
        #expect(looked.check?.outcome == .failed && looked.level == .warning, "\(looked)")
        server.clearFaults()
        let again = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--json"], in: folder) }
        let relooked = again.stdout.split(separator: "\n").compactMap { try? JSONDecoder().decode(EventRecord.self, from: Data($0.utf8)) }
            .first { $0.check?.name == "phone-watch" }
        #expect(relooked?.check?.outcome == .passed, "\(again.stdout)")
    }

    @Test("a feed whose newest file is weeks old is stale: phones get no new keys")
    func stale() async throws {
        let folder = try PlanFolder.make()
        // PlanFolder's client feed is dated weeks ago; before a swap phones verify it with the state's key.
        let look = try await offPool { try CommandRunner.run(["watch", "plan.yaml", "--json"], in: folder) }
        #expect(look.status == 3, "\(look.stdout)\n\(look.stderr)")
        #expect(look.stdout.contains("phones get no new keys"), "\(look.stdout)")
    }
}
