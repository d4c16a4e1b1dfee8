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
        CaseReport.record(
            120, case: "a run lock held by a process that is gone", handling: "shown as gone; taken over at once on the same host",
            operatorSees: gone.stdout.split(separator: "\n").first { $0.contains("GONE") }.map(String.init) ?? "",
            test: "OperatorMessageTests.lockHolder")
        let quiet = try CommandRunner.run(["unlock", "plan.yaml", "--force", "--by", "ana", "--note", "host replaced"], in: folder)
        #expect(quiet.status == 0 && !quiet.stderr.contains("warning"))
        // Who broke it, and why, is on the record.
        let broken = try #require(try journal(folder).lastRecord())
        #expect(broken.kind == .lockBroken && broken.detail.contains("ops@\(host) pid 999999"), "\(broken.detail)")
        #expect(broken.detail.contains("\"by\":\"ana\"") && broken.detail.contains("host replaced"), "\(broken.detail)")
        let count = try journal(folder).records().count
        #expect(try CommandRunner.run(["unlock", "plan.yaml", "--force"], in: folder).status == 0)
        #expect(try journal(folder).records().count == count, "nothing held, nothing recorded")

        let me = LockOwner.current
        _ = try journal(folder).acquireLease(owner: me, now: Date(), ttl: .seconds(600)) { _ in true }
        let alive = try CommandRunner.run(["status", "plan.yaml"], in: folder)
        #expect(alive.stdout.contains("lock:") && !alive.stdout.contains("GONE"))
        let warned = try CommandRunner.run(["unlock", "plan.yaml", "--force"], in: folder)
        #expect(warned.status == 0 && warned.stderr.contains("warning: the holder, process \(me.pid) on this host, is still running"), "\(warned.stderr)")
        CaseReport.record(
            130, case: "`unlock --force` while the holder still runs on this host", handling: "unlocked, with a warning",
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
        CaseReport.record(
            140, case: "an approval past its expiry", handling: "not used; shown as expired",
            operatorSees: status.stdout.split(separator: "\n").first { $0.contains("EXPIRED") }.map(String.init) ?? "",
            test: "OperatorMessageTests.expiredApproval")
    }
}

/// A wait at a gate that lasts days must not be a line (and a pass of every worker) per second.
/// A long-running `apply` whose output goes to a file, watched with deadlines (a predicate on
/// output alone would wait forever for a process that prints nothing more).
final class BackgroundApply {
    let process = Process()
    let log: URL

    init(in folder: URL) throws {
        log = folder.appendingPathComponent("apply.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process.executableURL = CommandRunner.binary
        process.arguments = ["apply", "plan.yaml"]
        process.currentDirectoryURL = folder
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    var printed: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Whether `seen` accepted the output within `seconds`.
    func waitUntil(within seconds: TimeInterval, _ seen: (String) -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !seen(printed), Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        return seen(printed)
    }

    /// Whether the process ended by itself within `seconds`.
    func waitForExit(within seconds: TimeInterval) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        return !process.isRunning
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

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
        let apply = try BackgroundApply(in: folder)
        defer { apply.stop() }
        try #require(try await apply.waitUntil(within: 60) { $0.contains("waiting for approval") }, "\(apply.printed)")
        let journal = try Journal.open(path: folder.appendingPathComponent(".enmigrate/us-xx.db").path, create: false)
        let before = try journal.records().count
        try await Task.sleep(for: .seconds(3))
        #expect(try journal.records().count == before, "a wait records one record, not one a poll")
        let approved = try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: folder)
        #expect(approved.stdout.contains("a running apply will carry the step out"), "\(approved.stdout)\n\(approved.stderr)")
        #expect(try await apply.waitUntil(within: 30) { $0.contains("steady:") }, "\(apply.printed)")
    }

    @Test("a waiting apply whose run lock another process took over stops within seconds")
    func lockLostWhileWaiting() async throws {
        let folder = try PlanFolder.make()
        let apply = try BackgroundApply(in: folder)
        defer { apply.stop() }
        try #require(try await apply.waitUntil(within: 60) { $0.contains("waiting for approval") }, "\(apply.printed)")
        // Another holder, as after this process was stopped past its lease: the takeover is dated
        // an hour on, when this process's lease has long expired.
        let journal = try Journal.open(path: folder.appendingPathComponent(".enmigrate/us-xx.db").path, create: false)
        _ = try journal.acquireLease(
            owner: LockOwner(user: "other", host: "elsewhere", pid: 4242),
            now: Date().addingTimeInterval(3600), ttl: .seconds(7200)
        ) { _ in true }
        #expect(try await apply.waitForExit(within: 30), "still waiting 30 s after losing its lock: \(apply.printed)")
        #expect(apply.process.terminationStatus != 0 && apply.printed.contains("lost the run lock"), "\(apply.printed)")
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
        #expect(
            pending.status == 0 && pending.stdout.contains("abort recorded: the run is held by") && !pending.stdout.hasPrefix("aborted"),
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
