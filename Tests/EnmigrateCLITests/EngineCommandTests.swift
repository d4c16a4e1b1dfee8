import Foundation
import MigrationEngine
import Testing

@Suite("The engine verbs, run as an operator runs them")
struct EngineCommandTests {
    private func json(_ output: CommandRunner.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    @Test("read-only: the dry run creates nothing; apply waits at key-rotation (4); approve cuts over to steady mirroring")
    func readOnlyRun() throws {
        let folder = try PlanFolder.make()
        let dry = try CommandRunner.run(["plan", "plan.yaml"], in: folder)
        #expect(dry.status == 2, "\(dry.stderr)")
        #expect(dry.stdout.contains("would enter: dual-export → importing → preparing-cut-over → key-rotation"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".enmigrate").path))

        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let early = try CommandRunner.run(["approve", "plan.yaml", "--gate", "decommission", "--by", "alice"], in: folder)
        #expect(early.status == 3)
        #expect(early.stderr.contains("gate decommission not reached: the run is in key-rotation"))

        let approved = try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice", "--note", "ticket 42"], in: folder)
        #expect(approved.status == 0, "\(approved.stdout)\n\(approved.stderr)")
        let status = try json(try CommandRunner.run(["status", "plan.yaml", "--json", "--verify-journal"], in: folder))
        #expect(status["phase"] as? String == "mirroring")
        #expect(status["status"] as? String == "steady")
        #expect(status["journalIntact"] as? Bool == true)
        for key in ["timeline", "checks", "failedFiles", "approval", "next"] { #expect(status[key] != nil, "\(key)") }
        #expect((status["timeline"] as? [Any])?.count == 5)
        // The text timeline gives every phase its whole name, the longest too.
        let text = try CommandRunner.run(["status", "plan.yaml"], in: folder).stdout
        #expect(text.contains("\n  preparing-cut-over 2") && text.contains("\n  key-rotation       2"), "\(text)")
        #expect((status["approval"] as? [String: Any])?["by"] as? String == "alice")
        // Workers as objects: a sentence for people and counts for scripts; a versioned document.
        #expect(status["schema"] as? String == "enmigrate.status/1")
        let workers = try #require(status["workers"] as? [[String: Any]])
        let importer = try #require(workers.first { $0["worker"] as? String == "export-importer" })
        let counts = try #require(importer["counts"] as? [String: Int])
        #expect(counts["imported"] == 3 && counts["failed"] == 0 && counts["keys"] == 120, "\(counts)")
        #expect((importer["summary"] as? String)?.contains("3 second-feed files imported") == true)
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 0)
        let dryAtEnd = try CommandRunner.run(["plan", "plan.yaml"], in: folder)
        #expect(dryAtEnd.status == 0)
        #expect(try CommandRunner.run(["abort", "plan.yaml"], in: folder).status == 3)
    }

    @Test("--until stops on reaching the phase; the next apply goes on from there")
    func untilPhase() throws {
        let folder = try PlanFolder.make()
        let stopped = try CommandRunner.run(["apply", "plan.yaml", "--once", "--until", "importing"], in: folder)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("stopped on reaching importing"))
        let status = try json(try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder))
        #expect(status["phase"] as? String == "importing")
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let bad = try CommandRunner.run(["apply", "plan.yaml", "--until", "mirorring"], in: folder)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("unknown phase mirorring; did you mean `mirroring`?"), "\(bad.stderr)")
    }

    @Test("apply --json prints one typed, versioned event object per line, events first and the outcome last")
    func applyJSONLines() throws {
        let folder = try PlanFolder.make()
        let run = try CommandRunner.run(["apply", "plan.yaml", "--once", "--json"], in: folder)
        #expect(run.status == 4, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let records = try lines.map { line in try JSONDecoder().decode(EventRecord.self, from: Data(line.utf8)) }
        #expect(records.count > 1)
        #expect(records.allSatisfy { $0.schema == EventRecord.currentSchema && !$0.message.isEmpty })
        #expect(records.allSatisfy { $0.timestamp.hasSuffix("Z") && $0.timestamp.contains("T") }, "\(records.map(\.timestamp))")
        let started = try #require(records.first { $0.type == "stepStarted" })
        #expect(started.phase != nil && started.worker != nil && started.attempt == 1)
        let progress = try #require(records.first { $0.type == "progress" && $0.worker == "export-importer" })
        #expect(progress.done != nil && progress.total != nil && progress.unit == "files" && progress.keys != nil)
        #expect(records.contains { $0.type == "waitingForApproval" && $0.gate == "key-rotation" && $0.command?.contains("plan.yaml") == true })
        let outcome = try #require(records.last)
        #expect(outcome.type == "outcome" && outcome.outcome == "waiting-for-approval" && outcome.exitCode == 4 && outcome.gate == "key-rotation")
        // No field is an empty placeholder: absent when it does not apply.
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys).isSuperset(of: ["schema", "@timestamp", "level", "type", "message"]), "\(line)")
            #expect(!object.values.contains { ($0 as? String) == "" }, "\(line)")
        }
    }

    @Test("full: three gates in turn, then complete")
    func fullRun() throws {
        let folder = try PlanFolder.make(mode: "full")
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        #expect(try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "a"], in: folder).status == 4)
        #expect(try CommandRunner.run(["approve", "plan.yaml", "--gate", "app-update", "--by", "a"], in: folder).status == 4)
        let last = try CommandRunner.run(["approve", "plan.yaml", "--gate", "decommission", "--by", "a"], in: folder)
        #expect(last.status == 0)
        #expect(last.stdout.contains("irreversible"))
        let status = try json(try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder))
        #expect(status["phase"] as? String == "complete")
        #expect(status["status"] as? String == "succeeded")
    }

    @Test("a changed plan is refused with exit 6, naming both hashes")
    func planChanged() throws {
        let folder = try PlanFolder.make()
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let url = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "interval: 5m", with: "interval: 6m")
            .write(to: url, atomically: true, encoding: .utf8)
        let resumed = try CommandRunner.run(["resume", "plan.yaml"], in: folder)
        #expect(resumed.status == 6)
        #expect(resumed.stderr.contains("the plan changed since the run started"))
    }

    @Test("plan shows a changed plan field by field with its line, and names the fields that need a new run")
    func planDiff() throws {
        let folder = try PlanFolder.make()
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let url = folder.appendingPathComponent("plan.yaml")
        let original = try String(contentsOf: url, encoding: .utf8)
        try original.replacingOccurrences(of: "interval: 5m", with: "interval: 6m").write(to: url, atomically: true, encoding: .utf8)
        let line = try #require(original.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("interval: 5m") }) + 1
        let safe = try CommandRunner.run(["plan", "plan.yaml"], in: folder)
        #expect(safe.status == 6, "\(safe.stdout)\n\(safe.stderr)")
        #expect(safe.stdout.contains("plan.yaml:\(line): /workers/interval: 5m → 6m"), "\(safe.stdout)")
        #expect(safe.stdout.contains("every change is safe to take up mid-run: enmigrate adopt plan.yaml --by NAME"), "\(safe.stdout)")

        try original.replacingOccurrences(of: "interval: 5m", with: "interval: 6m").replacingOccurrences(of: "region: US-XX", with: "region: US-YY")
            .write(to: url, atomically: true, encoding: .utf8)
        let unsafe = try CommandRunner.run(["plan", "plan.yaml", "--json"], in: folder)
        #expect(unsafe.status == 6, "\(unsafe.stdout)\n\(unsafe.stderr)")
        let document = try json(unsafe)
        let changes = try #require(document["changes"] as? [[String: Any]])
        #expect(changes.contains { $0["path"] as? String == "/state/region" && $0["safe"] as? Bool == false && $0["now"] as? String == "US-YY" }, "\(changes)")
        #expect(document["onlySafe"] as? Bool == false)
        // The plan put back: the run goes on.
        try original.write(to: url, atomically: true, encoding: .utf8)
        #expect(try CommandRunner.run(["plan", "plan.yaml"], in: folder).status != 6)
    }

    @Test("a second apply exits 5 naming the holder; the interrupted first one leaves a resumable run")
    func lockHeld() throws {
        let folder = try PlanFolder.make()
        let first = Process()
        first.executableURL = CommandRunner.binary
        first.arguments = ["apply", "plan.yaml"]
        first.currentDirectoryURL = folder
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        // Wait (bounded) until the first apply holds the lock while it waits at the gate.
        var held = false
        for _ in 0..<300 where !held {
            let status = try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder)
            held = status.status == 0 && status.stdout.contains("\"lock\" : \"")
            if !held { usleep(100_000) }
        }
        #expect(held, "the first apply never took the lock")
        let second = try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder)
        #expect(second.status == 5)
        #expect(second.stderr.contains("pid \(first.processIdentifier)"))
        first.terminate()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0, "SIGTERM is a clean stop")
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
    }
}
