import Foundation
import MigrationEngine
import Testing

@Suite("adopt: a running migration takes up safe plan changes, journaled")
struct AdoptCommandTests {
    private func json(_ output: CommandRunner.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.stdout)\n\(output.stderr)")
    }

    private func records(_ folder: URL) throws -> [JournalRecord] {
        try Journal.open(path: folder.appendingPathComponent(".enmigrate/us-xx.db").path, create: false).records()
    }

    @Test("a safe change is adopted with who and why; apply then goes on with it and the approval cuts over")
    func safeChangeAdopted() throws {
        let folder = try PlanFolder.make()
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let url = folder.appendingPathComponent("plan.yaml")
        let original = try String(contentsOf: url, encoding: .utf8)
        try original.replacingOccurrences(of: "interval: 5m", with: "interval: 6m").write(to: url, atomically: true, encoding: .utf8)
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 6)

        let adopted = try CommandRunner.run(["adopt", "plan.yaml", "--by", "dana", "--note", "CHG-9", "--json"], in: folder)
        #expect(adopted.status == 0, "\(adopted.stdout)\n\(adopted.stderr)")
        let document = try json(adopted)
        let hash = try #require(try json(try CommandRunner.run(["validate", "plan.yaml", "--json"], in: folder))["planHash"] as? String)
        #expect(document["outcome"] as? String == "adopted")
        #expect(document["planHash"] as? String == hash)
        let changes = try #require(document["changes"] as? [[String: Any]])
        #expect(changes.map { $0["path"] as? String } == ["/workers/interval"])

        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let status = try json(try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder))
        #expect(status["planHash"] as? String == hash)
        let adoption = try #require((status["adoptions"] as? [[String: Any]])?.first)
        #expect(adoption["by"] as? String == "dana" && adoption["note"] as? String == "CHG-9")
        #expect(
            adoption["changes"] as? [String] == [
                "/workers/interval: 5m → 6m (line \(try #require(original.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("interval: 5m") }) + 1))"
            ])
        let text = try CommandRunner.run(["status", "plan.yaml"], in: folder).stdout
        #expect(text.contains("adopted:  \(hash)") && text.contains("by dana (CHG-9)"), "\(text)")

        let again = try CommandRunner.run(["adopt", "plan.yaml", "--by", "dana"], in: folder)
        #expect(again.status == 0 && again.stdout.contains("nothing to adopt"), "\(again.stdout)")
        #expect(try records(folder).filter { $0.kind == .planAdopted }.count == 1)

        let approved = try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: folder)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(try json(try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder))["phase"] as? String == "mirroring")
    }

    @Test("an unsafe change is not adopted: exit 6 names the field, and nothing is recorded")
    func unsafeChangeRefused() throws {
        let folder = try PlanFolder.make()
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let before = try records(folder).count
        let url = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "interval: 5m", with: "interval: 6m")
            .replacingOccurrences(of: "region: US-XX", with: "region: US-YY").write(to: url, atomically: true, encoding: .utf8)
        let refused = try CommandRunner.run(["adopt", "plan.yaml", "--by", "dana", "--json"], in: folder)
        #expect(refused.status == 6, "\(refused.stdout)\n\(refused.stderr)")
        #expect(refused.stderr.contains("/state/region: US-XX → US-YY"), "\(refused.stderr)")
        #expect(refused.stderr.contains("a new run is needed for /state/region"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("/workers/interval"), "only the fields that block it are named: \(refused.stderr)")
        // With --json a script still gets one document on standard output saying why.
        let error = try #require(try json(refused)["error"] as? [String: Any])
        #expect(error["exitCode"] as? Int == 6)
        #expect((error["message"] as? String)?.contains("a new run is needed for /state/region") == true, "\(error)")
        #expect(try records(folder).count == before)
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 6)
    }

    @Test("while a live apply holds the run, adopt exits 5 saying to stop it first, and records nothing")
    func lockHeld() throws {
        let folder = try PlanFolder.make()
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let journal = try Journal.open(path: folder.appendingPathComponent(".enmigrate/us-xx.db").path, create: false)
        // This test process stands for the running apply: alive, on this host.
        _ = try journal.acquireLease(owner: LockOwner.current, now: Date(), ttl: .seconds(600)) { _ in true }
        let url = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "interval: 5m", with: "interval: 6m").write(
            to: url, atomically: true, encoding: .utf8)
        let before = try records(folder).count
        let held = try CommandRunner.run(["adopt", "plan.yaml", "--by", "dana"], in: folder)
        #expect(held.status == 5, "\(held.stdout)\n\(held.stderr)")
        #expect(held.stderr.contains("a running apply keeps the plan it loaded: stop it"), "\(held.stderr)")
        #expect(try records(folder).count == before)
    }

    @Test("adopting before any run is an error that says so")
    func noRun() throws {
        let folder = try PlanFolder.make()
        let output = try CommandRunner.run(["adopt", "plan.yaml", "--by", "dana"], in: folder)
        #expect(output.status == 1)
        #expect(output.stderr.contains("nothing has run yet"), "\(output.stderr)")
    }
}
