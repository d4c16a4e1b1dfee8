import Foundation
import LoopbackFeedServer
import MigrationStores
import Testing

@Suite("The importer killed mid-import, over loopback HTTP, resumes to the same key set")
struct ImportCrashTests {
    static let files = 24
    static let keysPerFile = 1500

    /// A plan whose second feed the state publishes itself (`source: external`) on a loopback
    /// HTTP server, so `apply` goes straight to importing it.
    func externalFeedPlan() async throws -> (folder: URL, server: LoopbackFeedServer) {
        let folder = try PlanFolder.make()
        try PlanFolder.writeFeed(
            in: folder, cdn: "second-cdn", keyName: "state-to-national", keyVersion: "v2",
            files: Self.files, keysPerFile: Self.keysPerFile)
        let server = try await LoopbackFeedServer.start(serving: folder.appendingPathComponent("second-cdn"))
        let planURL = folder.appendingPathComponent("plan.yaml")
        let text = try String(contentsOf: planURL, encoding: .utf8)
            .replacingOccurrences(of: "location: file:srv/state/to-national/", with: "location: \(server.baseURL.absoluteString)")
            .replacingOccurrences(of: "source: clientFeed ", with: "source: external ")
            .replacingOccurrences(of: "privateKey: keys/state-to-national.key.pem", with: "publicKey: keys/state-to-national.pub.pem")
            // The coverage proof reads the state's keys where its phones would: here the same feed.
            .replacingOccurrences(
                of: "file:client-cdn/exposureKeyExport-US-XX/index.txt",
                with: "\(server.baseURL.absoluteString)exposureKeyExport-US-XX/index.txt"
            )
            .replacingOccurrences(
                of: #"version: "v1", publicKey: keys/state-client.pub.pem"#,
                with: #"version: "v2", publicKey: keys/state-to-national.pub.pem"#)
        try text.write(to: planURL, atomically: true, encoding: .utf8)
        return (folder, server)
    }

    @Test("killed three times during the import, apply ends with every key exactly once, refetching at most the files in flight")
    func killedDuringImport() async throws {
        let (folder, server) = try await externalFeedPlan()
        let names = try String(contentsOf: folder.appendingPathComponent("second-cdn/\(PlanFolder.clientRoot)/index.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        // Every download takes a moment, so the kills land in the middle of the import.
        for name in names { server.inject(.delay(0.1), for: name, times: nil) }
        var kills = 0
        // Each run is killed after its first committed group of files.
        for _ in 0..<3 {
            let killed = try await offPool {
                try CommandRunner.runAndKill(["apply", "plan.yaml", "--once"], in: folder) { $0.contains(#""type":"progress""#) }
            }
            if killed { kills += 1 }
        }
        #expect(kills == 3, "the import finished before the kills; make it slower")
        let last = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(last.status == 4, "\(last.stdout)\n\(last.stderr)")
        #expect(last.stdout.contains("export-importer was interrupted; running it again"))

        let store = try SQLiteKeyStore(path: folder.appendingPathComponent(".enmigrate/national-keys.db").path)
        #expect(try await store.keyCount() == Self.files * Self.keysPerFile)
        let records = try await store.importFiles()
        #expect(records.count == names.count)
        #expect(records.allSatisfy { $0.status == .imported && $0.attempts == 1 })
        #expect(records.map(\.keysImported).reduce(0, +) == Self.files * Self.keysPerFile)
        // The dual-export check reads every file once, the import once more, the coverage proof
        // once more; each kill loses at most the files downloaded but not yet committed (4 in
        // parallel, 4 more downloading while a group commits).
        let fetched = names.map { server.requestCount(for: $0) }
        #expect(fetched.reduce(0, +) <= 3 * names.count + kills * 8)
        #expect(fetched.allSatisfy { $0 >= 3 && $0 <= 3 + kills })
        await server.stop()
    }

    @Test("status lists a file that failed for good with its reason, and apply holds importing until none waits for a retry")
    func failedFilesInStatus() async throws {
        let (folder, server) = try await externalFeedPlan()
        let names = try String(contentsOf: folder.appendingPathComponent("second-cdn/\(PlanFolder.clientRoot)/index.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        // The feed verifies when importing starts (the dual-export check); then it goes bad.
        let reached = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--until", "importing"], in: folder) }
        #expect(reached.status == 0, "\(reached.stdout)\n\(reached.stderr)")
        server.inject(.flipByte(at: 200), for: names[1], times: nil)
        server.inject(.status(503), for: names[2], times: nil)
        let blocked = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(blocked.status == 3, "\(blocked.stdout)\n\(blocked.stderr)")
        #expect(blocked.stdout.contains("1 second-feed files wait for a retry: \(names[2])"))
        let status = try await offPool { try CommandRunner.run(["status", "plan.yaml"], in: folder) }
        #expect(status.stdout.contains("failed files:"))
        #expect(status.stdout.contains("\(names[1]): failed"))
        #expect(status.stdout.contains("\(names[2]): waiting for a retry — \(names[2]): the server answered HTTP 503"))
        // The same for scripts: each file an object with its worker, status and reason.
        let document = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder) }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document.stdout.utf8)) as? [String: Any])
        let failed = try #require(object["failedFiles"] as? [[String: String]])
        #expect(failed.contains { $0["file"] == names[1] && $0["status"] == "failed" && $0["worker"] == "export-importer" }, "\(failed)")
        #expect(failed.contains { $0["file"] == names[2] && $0["status"] == "retrying" && $0["reason"]?.contains("503") == true }, "\(failed)")
        // The 503 passes; the tampered file stays tampered, so phones do not count it either.
        server.clearFaults()
        server.inject(.flipByte(at: 200), for: names[1], times: nil)
        let resumed = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(resumed.status == 4, "\(resumed.stdout)\n\(resumed.stderr)")
        let store = try SQLiteKeyStore(path: folder.appendingPathComponent(".enmigrate/national-keys.db").path)
        #expect(try await store.keyCount() == (Self.files - 1) * Self.keysPerFile)
        await server.stop()
    }
}
