import CaseReport
import Foundation
import MigrationEngine
import Testing

/// Messages that misled an operator: each now says what is true.
@Suite("status and unlock say what is true about the lock, the approval and the last error")
struct OperatorMessageTests {
    func journal(_ folder: URL) throws -> Journal {
        try Journal.open(path: folder.appendingPathComponent(".enmigrate/us-xx.db").path, create: false)
    }

    @Test("a lock whose holder is gone is shown as gone; unlock --force warns when the holder still runs on this host")
    func lockHolder() throws {
        let folder = try PlanFolder.make()
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let host = LockOwner.current.host
        // A holder that died (no such process) and one that is alive (this test process).
        _ = try journal(folder).acquireLease(owner: LockOwner(user: "ops", host: host, pid: 999_999), now: Date(), ttl: .seconds(600)) { _ in true }
        let gone = try CommandRunner.run(["status", "plan.yaml"], in: folder)
        #expect(gone.stdout.contains("GONE: no process 999999 runs on this host"), "\(gone.stdout)")
        CaseReport.record(120, case: "a run lock held by a process that is gone", handling: "shown as gone; taken over at once on the same host",
                          operatorSees: gone.stdout.split(separator: "\n").first { $0.contains("GONE") }.map(String.init) ?? "",
                          test: "OperatorMessageTests.lockHolder")
        let quiet = try CommandRunner.run(["unlock", "plan.yaml", "--force"], in: folder)
        #expect(quiet.status == 0 && !quiet.stderr.contains("warning"))

        let me = LockOwner.current
        _ = try journal(folder).acquireLease(owner: me, now: Date(), ttl: .seconds(600)) { _ in true }
        let alive = try CommandRunner.run(["status", "plan.yaml"], in: folder)
        #expect(alive.stdout.contains("lock:") && !alive.stdout.contains("GONE"))
        let warned = try CommandRunner.run(["unlock", "plan.yaml", "--force"], in: folder)
        #expect(warned.status == 0 && warned.stderr.contains("warning: the holder, process \(me.pid) on this host, is still running"), "\(warned.stderr)")
        CaseReport.record(130, case: "`unlock --force` while the holder still runs on this host", handling: "unlocked, with a warning",
                          operatorSees: warned.stderr, test: "OperatorMessageTests.lockHolder")
    }

    @Test("an approval past its expiry is shown as EXPIRED with what to do, not as 'until' a past time")
    func expiredApproval() async throws {
        let folder = try PlanFolder.make()
        let planURL = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: planURL, encoding: .utf8).replacingOccurrences(of: "expiresAfter: 72h", with: "expiresAfter: 1s")
            .write(to: planURL, atomically: true, encoding: .utf8)
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        // Held by a live process, so approve only records the approval.
        _ = try journal(folder).acquireLease(owner: LockOwner.current, now: Date(), ttl: .seconds(600)) { _ in true }
        #expect(try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: folder).status == 0)
        try await Task.sleep(for: .seconds(1.5))
        let status = try CommandRunner.run(["status", "plan.yaml"], in: folder)
        #expect(status.stdout.contains("approval: key-rotation by alice EXPIRED at"), "\(status.stdout)")
        #expect(status.stdout.contains("approve again"))
        CaseReport.record(140, case: "an approval past its expiry", handling: "not used; shown as expired",
                          operatorSees: status.stdout.split(separator: "\n").first { $0.contains("EXPIRED") }.map(String.init) ?? "",
                          test: "OperatorMessageTests.expiredApproval")
    }
}

/// A wait at a gate that lasts days must not be a line (and a pass of every worker) per second.
@Suite("waiting at a gate")
struct GateWaitTests {
    @Test("apply waiting at a gate prints the wait once, with the plan's path in the command, and does not re-run the workers every poll")
    func waitPrintsOnce() async throws {
        let folder = try PlanFolder.make()
        let output = try await offPool {
            try CommandRunner.shell("timeout -s INT 5 '\(CommandRunner.binary.path)' apply plan.yaml 2>&1; true", in: folder).output
        }
        let waits = output.split(separator: "\n").filter { $0.contains("waiting for approval") }
        #expect(waits.count == 1, "\(output)")
        #expect(waits.first?.contains("enmigrate approve plan.yaml --gate key-rotation") == true, "\(output)")
        // The workers caught up once before the wait; the polls after it run none of them.
        let afterWait = output.components(separatedBy: "waiting for approval").dropFirst().joined()
        #expect(!afterWait.contains("dual-export:") && !afterWait.contains("export-importer:"), "\(output)")
    }

    @Test("a waiting apply adds no journal record while it waits, and takes up an approval another process records within seconds")
    func approvalWhileWaiting() async throws {
        let folder = try PlanFolder.make()
        let journal = folder.appendingPathComponent(".enmigrate/us-xx.db").path
        @Sendable func records() throws -> Int { try Journal.open(path: journal, create: false).records().count }
        let result = try await offPool { () -> (ended: (status: Int32, signalled: Bool, output: String), before: Int, after: Int, approve: String) in
            var approvedAt: Date?
            var before = 0, after = 0, approve = ""
            let ended = try CommandRunner.runAndSignal(["apply", "plan.yaml"], in: folder, signal: SIGTERM) { output in
                if approvedAt == nil, output.contains("waiting for approval") {
                    before = (try? records()) ?? -1
                    Thread.sleep(forTimeInterval: 3)
                    after = (try? records()) ?? -1
                    let approved = try? CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: folder)
                    approve = (approved?.stdout ?? "") + (approved?.stderr ?? "")
                    approvedAt = Date()
                }
                // Bounded: a wait that never sees the approval is stopped after a minute, and fails below.
                return output.contains("steady:") || approvedAt.map { Date().timeIntervalSince($0) > 60 } ?? false
            }
            return (ended, before, after, approve)
        }
        #expect(result.before > 0 && result.after == result.before, "records while waiting: \(result.before) → \(result.after)")
        #expect(result.approve.contains("a running apply will carry the step out"), "\(result.approve)")
        #expect(result.ended.output.contains("steady:") && result.ended.status == 0, "\(result.ended.output)")
    }
}

@Suite("did you mean")
struct DidYouMeanTests {
    @Test("a mistyped verb or gate gets the closest one; a word close to none gets no guess")
    func suggestions() throws {
        let verb = try CommandRunner.run(["validat", "plan.yaml"])
        #expect(verb.status == 64 && verb.stderr.contains("unknown command `validat`; did you mean `validate`?"), "\(verb.stderr)")
        let far = try CommandRunner.run(["frobnicate"])
        #expect(far.status == 64 && far.stderr.contains("unknown command `frobnicate`") && !far.stderr.contains("did you mean"))
        let folder = try PlanFolder.make()
        let gate = try CommandRunner.run(["approve", "plan.yaml", "--gate", "keyrotation", "--by", "alice"], in: folder)
        #expect(gate.status != 0 && gate.stderr.contains("unknown gate keyrotation; did you mean `key-rotation`?"), "\(gate.stderr)")
        #expect(try CommandRunner.run(["--version"]).status == 0)
    }
}

@Suite("abort says what it did")
struct AbortMessageTests {
    @Test("an abort while another process holds the run says it is recorded, not done; who and why are kept in the journal")
    func pendingAbort() throws {
        let folder = try PlanFolder.make()
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let journal = try Journal.open(path: folder.appendingPathComponent(".enmigrate/us-xx.db").path, create: false)
        _ = try journal.acquireLease(owner: LockOwner.current, now: Date(), ttl: .seconds(600)) { _ in true }
        let pending = try CommandRunner.run(["abort", "plan.yaml", "--by", "alice", "--note", "ticket 7"], in: folder)
        #expect(pending.status == 0 && pending.stdout.contains("abort recorded: the run is held by") && !pending.stdout.hasPrefix("aborted"),
                "\(pending.stdout)\n\(pending.stderr)")
        let request = try #require(try journal.records().last { $0.kind == .abortRequested })
        let fields = try JSONDecoder().decode([String: String].self, from: Data(request.detail.utf8))
        #expect(fields["by"] == "alice" && fields["note"] == "ticket 7", "\(request.detail)")
        try journal.releaseLease(ownedBy: LockOwner.current)
        let done = try CommandRunner.run(["abort", "plan.yaml", "--by", "alice"], in: folder)
        #expect(done.status == 0 && done.stdout.hasPrefix("aborted"), "\(done.stdout)\n\(done.stderr)")
        let aborted = try #require(try journal.records().last { $0.kind == .aborted })
        #expect(try JSONDecoder().decode([String: String].self, from: Data(aborted.detail.utf8))["by"] == "alice")
    }
}

@Suite("JSON shapes of plan, status, abort and unlock")
struct VerbJSONTests {
    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test("plan --json carries the plan hash; status --json lists next commands before a run as after; abort and unlock take --json")
    func shapes() throws {
        let folder = try PlanFolder.make()
        let plan = try object(try CommandRunner.run(["plan", "plan.yaml", "--json"], in: folder).stdout)
        #expect((plan["planHash"] as? String)?.hasPrefix("sha256:") == true)
        let before = try object(try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder).stdout)
        #expect(before["next"] as? [String] == ["enmigrate apply plan.yaml"])
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let after = try object(try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder).stdout)
        #expect(after["next"] is [String])
        let unlock = try object(try CommandRunner.run(["unlock", "plan.yaml", "--force", "--json"], in: folder).stdout)
        #expect(unlock["unlocked"] is Bool && unlock["holderStillRuns"] as? Bool == false)
        let abort = try object(try CommandRunner.run(["abort", "plan.yaml", "--json", "--by", "alice"], in: folder).stdout)
        #expect(abort["outcome"] as? String == "aborted")
    }

    @Test("a verb that fails with --json still prints one JSON document on stdout, with the message and the exit code")
    func failureAsJSON() throws {
        let folder = try PlanFolder.make()
        let url = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "expiresAfter: 72h", with: "expiresAfter: 0s")
            .write(to: url, atomically: true, encoding: .utf8)
        for verb in [["status"], ["apply", "--once"], ["plan"]] {
            let result = try CommandRunner.run([verb[0], "plan.yaml", "--json"] + verb.dropFirst(), in: folder)
            #expect(result.status == 1)
            let error = try #require(try object(result.stdout)["error"] as? [String: Any], "\(verb): \(result.stdout)")
            #expect(error["exitCode"] as? Int == 1 && (error["message"] as? String)?.contains("is zero") == true, "\(error)")
            #expect(result.stderr.contains("error[bad-duration]"))
        }
    }
}
