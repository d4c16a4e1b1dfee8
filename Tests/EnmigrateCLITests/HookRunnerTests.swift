import Foundation
import MigrationEngine
import MigrationPlan
import Synchronization
import Testing

@testable import EnmigrateCLI

@Suite("The hook runner: which events reach which hooks, failures warn, drain waits for all")
struct HookRunnerTests {
    final class Warnings: Sendable {
        let said = Mutex<[String]>([])
    }

    @Test("a hook that fails at once only warns, and drain returns; events no hook asked for start nothing")
    func failuresWarn() async throws {
        let warnings = Warnings()
        let runner = HookRunner(
            hooks: [
                Hook(on: [.stepFailed], action: .command(["/nonexistent/enmigrate-hook"]), timeout: .seconds(5)),
                Hook(on: [.blocked], action: .command(["/bin/sh", "-c", "exit 9"]), timeout: .seconds(5)),
            ], migration: "m", warn: { line in warnings.said.withLock { $0.append(line) } })
        for _ in 0..<20 { runner.notify(.stepFailed(phase: .importing, worker: "w", reason: "r")) }
        runner.notify(.blocked("coverage"))
        runner.notify(.steady)
        await runner.drain()
        let said = warnings.said.withLock { $0 }
        #expect(said.count == 21, "\(said)")
        #expect(said.contains { $0.contains("could not be started") } && said.contains { $0.contains("exited 9") }, "\(said)")
    }

    @Test("a hook gets its events one at a time, in the order they happened, even when the first is slow")
    func inOrder() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-hook-order-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        // The first event takes half a second; without one-at-a-time delivery the second lands first.
        let script = #"read line; case "$line" in *step-failed*) sleep 0.5;; esac; printf '%s\n' "$line" >> "$0""#
        let runner = HookRunner(
            hooks: [Hook(on: [.stepFailed, .blocked], action: .command(["/bin/sh", "-c", script, log.path]), timeout: .seconds(5))],
            migration: "m")
        runner.notify(.stepFailed(phase: .importing, worker: "w", reason: "r"))
        runner.notify(.blocked("coverage"))
        await runner.drain()
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("step-failed") && lines[1].contains("\"blocked\""), "\(lines)")
    }

    @Test("a hook that exits without reading its input is a hook that ran, not the end of the process (SIGPIPE)")
    func hookThatDoesNotRead() async throws {
        // Larger than a pipe's buffer, so the write is still going on when the hook exits:
        // without SIGPIPE ignored this kills the process that runs the hook, every time.
        let body = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        try await HookCommand(words: ["/bin/sh", "-c", "exit 0"], timeout: .seconds(5)).run(stdin: body, environment: [:])
        await #expect(throws: HookCommand.Failure.self) {
            try await HookCommand(words: ["/bin/sh", "-c", "exit 3"], timeout: .seconds(5)).run(stdin: body, environment: [:])
        }
    }

    @Test("the engine events each hook event stands for")
    func mapping() {
        let runner = HookRunner(hooks: [], migration: "m")
        #expect(runner.hookEvent(for: .waitingForApproval(.keyRotation)) == .gateWaiting)
        #expect(runner.hookEvent(for: .waitingForApproval(.keyRotation)) == nil, "a wait is told once, then at the reminder rate")
        #expect(runner.hookEvent(for: .approvalUsed(.keyRotation, by: "a")) == .approved)
        #expect(runner.hookEvent(for: .phaseEntered(.mirroring)) == .cutOverDone)
        #expect(runner.hookEvent(for: .phaseEntered(.importing)) == nil)
        #expect(runner.hookEvent(for: .fileProblem(worker: "w", file: "f", reason: "r", permanent: true)) == .fileQuarantined)
        #expect(runner.hookEvent(for: .fileProblem(worker: "w", file: "f", reason: "r", permanent: false)) == nil)
        #expect(runner.hookEvent(for: .check(CheckResult(name: "coverage", outcome: .inconclusive, reason: ""))) == .coverageNotHolding)
        #expect(runner.hookEvent(for: .check(CheckResult(name: "coverage", outcome: .passed, reason: ""))) == nil)
        // The import stalls when its oldest waiting file has waited two hours: told once a stall.
        let old = Date().addingTimeInterval(-3 * 3600), recent = Date().addingTimeInterval(-600)
        #expect(runner.hookEvent(for: .backlog(worker: "export-importer", pending: 2, oldestSince: recent)) == nil)
        #expect(runner.hookEvent(for: .backlog(worker: "export-importer", pending: 2, oldestSince: old)) == .progressStalled)
        #expect(runner.hookEvent(for: .backlog(worker: "export-importer", pending: 2, oldestSince: old)) == nil, "told once a stall")
        #expect(runner.hookEvent(for: .backlog(worker: "export-importer", pending: 0, oldestSince: nil)) == nil)
        #expect(
            runner.hookEvent(for: .backlog(worker: "export-importer", pending: 1, oldestSince: old)) == .progressStalled,
            "a new stall after the backlog cleared")
        #expect(runner.hookEvent(for: .backlog(worker: "dual-export", pending: 5, oldestSince: old)) == nil)
    }

    @Test("a before-cut-over command that outlives its timeout is stopped and counts as a refusal")
    func timeout() async throws {
        // A command that would run ten minutes; the bound only tells "stopped" from "waited for"
        // (a loaded machine runs the 0.3 s timeout and the 2 s SIGKILL seconds late).
        let runner = HookRunner(hooks: [Hook(on: [.beforeCutOver], action: .command(["/bin/sleep", "600"]), timeout: .milliseconds(300))], migration: "m")
        let began = ContinuousClock.now
        await #expect(throws: HookCommand.Failure.self) { try await runner.beforeCutOver() }
        #expect(ContinuousClock.now - began < .seconds(300), "stopped, not waited for")
    }
}
