import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationStores
@testable import MigrationWorkers
import Testing

@Suite("The cut-over, run as an operator runs it, with the state's CDN on loopback HTTP")
struct CutOverTests {
    /// The state's CDN is the client mirror's location (`srv/state/cdn`), served over loopback:
    /// six good days, one file signed by a key phones do not hold; one file tampered with and
    /// one truncated in transit.
    func stateOnLoopback() async throws -> (folder: URL, server: LoopbackFeedServer, good: [String], bad: [String]) {
        let folder = try PlanFolder.make(clientFiles: 0)
        var names = try PlanFolder.writeFeed(in: folder, cdn: "srv/state/cdn", keyName: "state-client", keyVersion: "v1", files: 6, keysPerFile: 50)
        names = try PlanFolder.writeFeed(
            in: folder, cdn: "srv/state/cdn", keyName: "national", keyVersion: "v1", files: 1, keysPerFile: 50,
            startDay: 6, appending: true)
        let server = try await LoopbackFeedServer.start(serving: folder.appendingPathComponent("srv/state/cdn"))
        server.inject(.flipByte(at: 200), for: names[1], times: nil)
        server.inject(.truncate(keep: 300), for: names[2], times: nil)
        let planURL = folder.appendingPathComponent("plan.yaml")
        let text = try String(contentsOf: planURL, encoding: .utf8)
            .replacingOccurrences(
                of: "file:client-cdn/exposureKeyExport-US-XX/index.txt",
                with: "\(server.baseURL.absoluteString)exposureKeyExport-US-XX/index.txt")
        try text.write(to: planURL, atomically: true, encoding: .utf8)
        return (folder, server, [names[0], names[3], names[4], names[5]], [names[1], names[2], names[6]])
    }

    /// The keys in a state file as written on disk.
    func keys(_ name: String, in folder: URL) throws -> Set<Data> {
        let data = try Data(contentsOf: folder.appendingPathComponent("srv/state/cdn/\(name)"))
        return Set(try ExportArchive.read(zip: data, name: name).contents().keys.map(\.keyData))
    }

    @Test("read-only: staged before the approval, nothing published; after it every good state key is read from the client index with the national key")
    func readOnlyCutOver() async throws {
        let (folder, server, good, bad) = try await stateOnLoopback()
        let clientIndex = folder.appendingPathComponent("srv/state/cdn/exposureKeyExport-US-XX/index.txt")
        let original = try Data(contentsOf: clientIndex)

        let waiting = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(waiting.status == 4, "\(waiting.stdout)\n\(waiting.stderr)")
        #expect(waiting.stdout.contains("check coverage: passed"))
        #expect(try Data(contentsOf: clientIndex) == original, "nothing is published before the approval")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("srv/state/cdn/exposureKeyExport-US-XX/index.txt.staged").path))
        let request = try String(contentsOf: folder.appendingPathComponent(".enmigrate/rotation-request/REQUEST.md"), encoding: .utf8)
        #expect(request.contains("region **US-XX**") && request.contains("key version | v3"))
        let status = try await offPool { try CommandRunner.run(["status", "plan.yaml"], in: folder) }
        for name in bad { #expect(status.stdout.contains("\(name): quarantined by dual-export"), "\(status.stdout)") }
        #expect(status.stdout.contains("rotation request:"))
        // Worker progress, from the stores: nothing swapped yet.
        #expect(status.stdout.contains("dual-export: \(good.count) files re-signed into the second feed, \(bad.count) quarantined"), "\(status.stdout)")
        #expect(
            status.stdout.contains(
                "export-importer: \(good.count) second-feed files imported, 0 failed for good, 0 waiting for a retry; \(good.count * 50) keys"))
        #expect(status.stdout.contains("national files staged in the client CDN; the client index is not swapped yet"))

        let proof = try await offPool { try CommandRunner.run(["verify", "plan.yaml", "--json"], in: folder) }
        #expect(proof.status == 0, "\(proof.stdout)\n\(proof.stderr)")
        let before = try JSONSerialization.jsonObject(with: Data(proof.stdout.utf8)) as? [String: Any]
        #expect(before?["holds"] as? Bool == true)

        let approved = try await offPool {
            try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice", "--note", "Apple and Google confirmed"], in: folder)
        }
        #expect(approved.status == 0, "\(approved.stdout)\n\(approved.stderr)")
        let published = try String(contentsOf: clientIndex, encoding: .utf8).split(separator: "\n")
        #expect(!published.isEmpty && published.allSatisfy { $0.hasPrefix("exposureKeyExport-US-XX/national-") })

        // What phones read now: the client index, verified with the national key.
        let phone = PhoneFeedReader(
            store: FileBlobStore(root: folder.appendingPathComponent("srv/state/cdn")),
            indexPath: "exposureKeyExport-US-XX/index.txt",
            key: TrustedKey(
                keyID: "310", keyVersion: "v3",
                publicKey: try ExportPublicKey.load(contentsOf: folder.appendingPathComponent("keys/national.pub.pem"))))
        let read = try await phone.read()
        #expect(read.rejectedFiles.isEmpty && read.unavailableFiles.isEmpty)
        let phoneKeys = Set(read.keys.keys)
        for name in good { #expect(try keys(name, in: folder).allSatisfy { phoneKeys.contains(DiagnosisKeyID($0)!) }, "\(name)") }
        for name in bad { #expect(try keys(name, in: folder).allSatisfy { !phoneKeys.contains(DiagnosisKeyID($0)!) }, "\(name)") }
        #expect(phoneKeys.count == good.count * 50)

        let after = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder) }
        let report = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any]
        #expect(report?["phase"] as? String == "mirroring")
        #expect((report?["cutoverLatencyMs"] as? Int).map { $0 >= 0 } == true, "\(after.stdout)")
        let page = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--html", "status.html"], in: folder) }
        #expect(page.status == 0, "\(page.stderr)")
        let html = try String(contentsOf: folder.appendingPathComponent("status.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && !html.contains("<script"))
        #expect(html.contains(#"<span class="phase current">mirroring</span>"#) && html.contains(#"<span class="phase done">importing</span>"#))
        #expect(html.contains("gate key-rotation →") && html.contains("cut-over latency <b>"))
        for name in bad { #expect(html.contains("\(name): quarantined by dual-export")) }
        #expect(html.contains("<h2>Workers</h2>") && html.contains("mirror: the client index serves the national feed"))
        let again = try await offPool { try CommandRunner.run(["verify", "plan.yaml"], in: folder) }
        #expect(again.status == 0 && again.stdout.contains("client index phones read now"), "\(again.stdout)\n\(again.stderr)")

        // The state's export worker writes the client index again: the mirror blocks (exit 3),
        // and takes it back only when told to.
        let swapped = try Data(contentsOf: clientIndex)
        try Data("exposureKeyExport-US-XX/\(good[0].split(separator: "/").last!)".utf8).write(to: clientIndex)
        let rewritten = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(rewritten.status == 3 && rewritten.stdout.contains("was rewritten by something other than enmigrate"), "\(rewritten.stdout)")
        let takenBack = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--take-back-client-index"], in: folder) }
        #expect(takenBack.status == 0, "\(takenBack.stdout)\n\(takenBack.stderr)")
        #expect(try Data(contentsOf: clientIndex) == swapped)

        let restored = try await offPool { try CommandRunner.run(["abort", "plan.yaml", "--restore-client-index"], in: folder) }
        #expect(restored.status == 0, "\(restored.stdout)\n\(restored.stderr)")
        #expect(try Data(contentsOf: clientIndex) == original)
        await server.stop()
    }

    @Test("killed while staging and right after the approval, apply resumes to one whole swap with every good key")
    func killedAroundTheSwap() async throws {
        let (folder, server, good, _) = try await stateOnLoopback()
        // Many small national files, so the kill lands inside the staging.
        let planURL = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: planURL, encoding: .utf8).replacingOccurrences(of: "maxKeysPerFile: 17000", with: "maxKeysPerFile: 20")
            .write(to: planURL, atomically: true, encoding: .utf8)
        let cdn = folder.appendingPathComponent("srv/state/cdn/exposureKeyExport-US-XX")
        let original = try Data(contentsOf: cdn.appendingPathComponent("index.txt"))

        _ = try await offPool { try CommandRunner.runAndKill(["apply", "plan.yaml", "--once"], in: folder) { $0.contains("importing: mirror-stage") } }
        #expect(try Data(contentsOf: cdn.appendingPathComponent("index.txt")) == original)
        let waiting = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(waiting.status == 4, "\(waiting.stdout)\n\(waiting.stderr)")
        #expect(try Data(contentsOf: cdn.appendingPathComponent("index.txt")) == original, "nothing is published before the approval")

        _ = try await offPool {
            try CommandRunner.runAndKill(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: folder) {
                $0.contains("gate key-rotation approved")
            }
        }
        let resumed = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")

        // One whole swap: the index lists exactly the mirrored files, each present once; the
        // state's index is kept; phones find every good key.
        let lines = try String(contentsOf: cdn.appendingPathComponent("index.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        let staged = try String(contentsOf: cdn.appendingPathComponent("index.txt.staged"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == staged && lines.count == 10)
        let mirrored = try FileManager.default.contentsOfDirectory(atPath: cdn.path).filter { $0.hasPrefix("national-") }
        #expect(Set(mirrored.map { "exposureKeyExport-US-XX/\($0)" }) == Set(lines))
        #expect(try Data(contentsOf: cdn.appendingPathComponent("index.txt.before-cut-over")) == original)
        let proof = try await offPool { try CommandRunner.run(["verify", "plan.yaml", "--json"], in: folder) }
        #expect(proof.status == 0, "\(proof.stdout)\n\(proof.stderr)")
        let report = (try JSONSerialization.jsonObject(with: Data(proof.stdout.utf8)) as? [String: Any])?["report"] as? [String: Any]
        #expect((report?["state"] as? [String: Any])?["keys"] as? Int == good.count * 50)
        await server.stop()
    }

    @Test("full: app-update waits for quiet uploads when its gate needs no approval; decommission sweeps, archives the second feed and reports")
    func fullMigration() async throws {
        let (folder, server, good, bad) = try await stateOnLoopback()
        let planURL = folder.appendingPathComponent("plan.yaml")
        let full = try String(contentsOf: planURL, encoding: .utf8)
            .replacingOccurrences(of: "mode: read-only ", with: "mode: full ")
            .replacingOccurrences(
                of: "  keyRotation: { approval: required, expiresAfter: 72h }",
                with: "  keyRotation: { approval: required, expiresAfter: 72h }\n  appUpdate: { approval: none }")
        try full.replacingOccurrences(of: "quietPeriod: 72h", with: "quietPeriod: 100000h").write(to: planURL, atomically: true, encoding: .utf8)
        #expect(try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }.status == 4)
        let loud = try await offPool { try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: folder) }
        #expect(loud.status == 3, "\(loud.stdout)\n\(loud.stderr)")
        #expect(loud.stdout.contains("uploads-quiet") && loud.stdout.contains("uploads must be quiet for"))

        // The state's keys are weeks old: with a realistic quiet period the uploads are quiet.
        // (A changed plan is a new run, so the quiet period is set back by a new journal.)
        try full.write(to: planURL, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: folder.appendingPathComponent(".enmigrate"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("srv/state/cdn/exposureKeyExport-US-XX/index.txt"))
        try FileManager.default.moveItem(
            at: folder.appendingPathComponent("srv/state/cdn/exposureKeyExport-US-XX/index.txt.before-cut-over"),
            to: folder.appendingPathComponent("srv/state/cdn/exposureKeyExport-US-XX/index.txt"))
        #expect(try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }.status == 4)
        let rotated = try await offPool { try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: folder) }
        #expect(rotated.status == 4 && rotated.stdout.contains("check uploads-quiet: passed"), "\(rotated.stdout)\n\(rotated.stderr)")
        let done = try await offPool {
            try CommandRunner.run(["approve", "plan.yaml", "--gate", "decommission", "--by", "bob", "--note", "app 2.0 live"], in: folder)
        }
        #expect(done.status == 0, "\(done.stdout)\n\(done.stderr)")

        let reports = folder.appendingPathComponent(".enmigrate/reports")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("decommission-report.json"))) as? [String: Any]
        #expect(report?["keysInNationalStore"] as? Int == good.count * 50)
        #expect((report?["filesFailed"] as? [String])?.isEmpty == true, "dual-export quarantined the bad files; the importer never saw them")
        #expect((report?["cutOverLatencyMs"] as? Int).map { $0 >= 0 } == true)
        #expect((report?["approvals"] as? [Any])?.count == 2)
        let markdown = try String(contentsOf: reports.appendingPathComponent("decommission-report.md"), encoding: .utf8)
        #expect(markdown.contains("| decommission | bob |") && markdown.contains("keys in the national key store: \(good.count * 50)"))
        // Archived, not deleted.
        let secondIndex = "exposureKeyExport-US-XX/index.txt"
        let archived = try Data(contentsOf: reports.appendingPathComponent("second-feed-archive/\(secondIndex)"))
        #expect(archived == (try Data(contentsOf: folder.appendingPathComponent("srv/state/to-national/\(secondIndex)"))))
        #expect(String(decoding: archived, as: UTF8.self).split(separator: "\n").count == good.count)
        #expect(bad.count == 3)
        let status = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder) }
        #expect((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["status"] as? String == "succeeded")
        let text = try await offPool { try CommandRunner.run(["status", "plan.yaml"], in: folder) }
        #expect(text.stdout.contains("next:     nothing: the migration is complete"))
        await server.stop()
    }
}
