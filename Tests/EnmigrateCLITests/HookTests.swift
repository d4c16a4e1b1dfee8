import Foundation
import LoopbackFeedServer
import MigrationEngine
import Testing

@Suite("Hooks: commands told about events as JSON, and a before-cut-over hook that can stop the swap")
struct HookTests {
    /// A hook script that appends each event it gets to `hook-events.jsonl` and refuses while
    /// a file `block` sits beside it.
    static func installHook(in folder: URL, on events: String) throws {
        let script = folder.appendingPathComponent("hook.sh")
        try """
        #!/bin/sh
        here=$(dirname "$0")
        line=$(cat); printf '%s\n' "$line" >> "$here/hook-events.jsonl"
        echo "env: $ENMIGRATE_HOOK $ENMIGRATE_MIGRATION" >> "$here/hook-env.txt"
        if [ -e "$here/block" ]; then echo "the CDN is not ready" >&2; exit 3; fi
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let plan = folder.appendingPathComponent("plan.yaml")
        try (String(contentsOf: plan, encoding: .utf8) + "hooks:\n  - on: \(events)\n    command: [./hook.sh, --from-test]\n    timeout: 10s\n")
            .write(to: plan, atomically: true, encoding: .utf8)
    }

    static func events(in folder: URL) throws -> [EventRecord] {
        let url = folder.appendingPathComponent("hook-events.jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try JSONDecoder().decode(EventRecord.self, from: Data($0.utf8)) }
    }

    @Test("a failing before-cut-over hook stops the swap and says why; once it passes, the swap happens and the hooks hear of it")
    func beforeCutOverBlocks() throws {
        let folder = try PlanFolder.make()
        try Self.installHook(in: folder, on: "[gate-waiting, approved, cut-over-done, before-cut-over]")
        #expect(try CommandRunner.run(["validate", "plan.yaml"], in: folder).status == 0)
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let waiting = try #require(try Self.events(in: folder).first)
        #expect(waiting.hook == "gate-waiting" && waiting.gate == "key-rotation" && waiting.schema == EventRecord.currentSchema)
        #expect(waiting.migration?.isEmpty == false)

        let clientIndex = folder.appendingPathComponent("srv/state/cdn/exposureKeyExport-US-XX/index.txt")
        let before = try? Data(contentsOf: clientIndex)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("block").path, contents: nil)
        let refused = try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "ana"], in: folder)
        #expect(refused.status == 1, "\(refused.stdout)\n\(refused.stderr)")
        #expect((refused.stdout + refused.stderr).contains("before-cut-over hook failed"), "\(refused.stdout)")
        #expect((refused.stdout + refused.stderr).contains("the CDN is not ready"), "\(refused.stdout)")
        #expect((try? Data(contentsOf: clientIndex)) == before, "the client index was not swapped")

        try FileManager.default.removeItem(at: folder.appendingPathComponent("block"))
        let resumed = try CommandRunner.run(["resume", "plan.yaml"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        let swapped = try String(contentsOf: clientIndex, encoding: .utf8)
        #expect(swapped.contains("national-"), "\(swapped)")
        let heard = try Self.events(in: folder).compactMap(\.hook)
        #expect(heard.filter { $0 == "before-cut-over" }.count >= 2 && heard.contains("approved") && heard.contains("cut-over-done"), "\(heard)")
        let env = try String(contentsOf: folder.appendingPathComponent("hook-env.txt"), encoding: .utf8)
        #expect(env.contains("env: before-cut-over "))
        // Hooks never receive key material.
        let bodies = try String(contentsOf: folder.appendingPathComponent("hook-events.jsonl"), encoding: .utf8)
        let privateKey = try String(contentsOf: folder.appendingPathComponent("keys/national.key.pem"), encoding: .utf8)
        let keyLine = try #require(privateKey.split(separator: "\n").dropFirst().first)
        #expect(!bodies.contains("BEGIN") && !bodies.contains(String(keyLine)))
    }

    @Test("hooks are checked with the plan: an unknown event gets a did-you-mean, a command must be a list, not both command and webhook")
    func validation() throws {
        let folder = try PlanFolder.make()
        let plan = folder.appendingPathComponent("plan.yaml")
        try
            (String(contentsOf: plan, encoding: .utf8)
                + """
                hooks:
                  - on: [gate-wating]
                    command: [notify]
                  - on: step-failed
                    command: notify --all
                  - on: blocked
                    command: [notify]
                    webhook: https://hooks.example/x

                """).write(to: plan, atomically: true, encoding: .utf8)
        let run = try CommandRunner.run(["validate", "plan.yaml"], in: folder)
        #expect(run.status != 0)
        let text = run.stdout + run.stderr
        #expect(text.contains("`gate-wating` is not a hook event") && text.contains("did you mean `gate-waiting`"), "\(text)")
        #expect(text.contains("`command` must be a list"), "\(text)")
        #expect(text.contains("either `command` or `webhook`"), "\(text)")

        // Plain http is for loopback, as everywhere else in a plan (the rule runs once the plan decodes).
        let other = try PlanFolder.make()
        let otherPlan = other.appendingPathComponent("plan.yaml")
        try (String(contentsOf: otherPlan, encoding: .utf8) + "hooks:\n  - on: blocked\n    webhook: http://hooks.example/x\n")
            .write(to: otherPlan, atomically: true, encoding: .utf8)
        let insecure = try CommandRunner.run(["validate", "plan.yaml"], in: other)
        #expect(insecure.status != 0 && (insecure.stdout + insecure.stderr).contains("insecure-http"), "\(insecure.stdout)")
    }

    @Test("a webhook gets the event as a JSON POST; a before-cut-over webhook answering 503 stops the swap")
    func webhook() async throws {
        let folder = try PlanFolder.make()
        let endpoint = folder.appendingPathComponent("endpoint")
        try FileManager.default.createDirectory(at: endpoint, withIntermediateDirectories: true)
        try Data("ok".utf8).write(to: endpoint.appendingPathComponent("hook"))
        let server = try await LoopbackFeedServer.start(serving: endpoint)
        defer { Task { await server.stop() } }
        let plan = folder.appendingPathComponent("plan.yaml")
        try
            (String(contentsOf: plan, encoding: .utf8)
            + "hooks:\n  - on: [gate-waiting, before-cut-over]\n    webhook: \(server.baseURL.absoluteString)hook?token=s3cret\n    timeout: 60s\n")
            .write(to: plan, atomically: true, encoding: .utf8)
        let applied = try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder)
        #expect(applied.status == 4)
        let posted = server.postedBodies(for: "hook")
        #expect(posted.count == 1, "\(applied.stderr)")
        let waiting = try JSONDecoder().decode(EventRecord.self, from: try #require(posted.first))
        #expect(waiting.hook == "gate-waiting" && waiting.gate == "key-rotation")

        server.inject(.status(503), for: "hook", times: nil)
        let refused = try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "ana"], in: folder)
        #expect(refused.status == 1)
        let said = refused.stdout + refused.stderr
        #expect(said.contains("before-cut-over hook failed") && said.contains("answered 503"), "\(said)")
        #expect(!said.contains("s3cret"), "the webhook's query (a token) is never printed")
        server.clearFaults()
        #expect(try CommandRunner.run(["resume", "plan.yaml"], in: folder).status == 0)
        #expect(
            server.postedBodies(for: "hook").compactMap { try? JSONDecoder().decode(EventRecord.self, from: $0).hook }.filter { $0 == "before-cut-over" }.count
                >= 2)
    }
}
