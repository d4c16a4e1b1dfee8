import Foundation
import Testing
@testable import MigrationEngine

@Suite("The orchestrator with scripted workers")
struct OrchestratorTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-orch-\(UUID().uuidString)/journal.db").path
    let time = TestTime()
    let export = ScriptedWorker("dual-export")
    let importer = ScriptedWorker("importer")
    let cutOver = ScriptedWorker("cut-over")

    func orchestrator(
        _ mode: MigrationPhase.Mode = .readOnly, hash: String = "sha256:plan", registry: WorkerRegistry? = nil,
        attempts: Int = 3, timeout: Duration = .seconds(60)
    ) throws -> Orchestrator {
        let registry = registry ?? WorkerRegistry(steps: [.dualExport: [export], .importing: [importer], .keyRotation: [cutOver]])
        return Orchestrator(
            journal: try Journal.open(path: path), registry: registry,
            definition: RunDefinition(planHash: hash, mode: mode, attempts: attempts, stepTimeout: timeout),
            environment: time.environment)
    }

    @Test("apply runs each step once, waits at key-rotation; approve then apply reaches steady mirroring, where the mirror keeps running")
    func readOnlyRun() async throws {
        let mirror = ScriptedWorker("mirror")
        let engine = try orchestrator(
            registry: WorkerRegistry(steps: [
                .dualExport: [export], .importing: [importer],
                .keyRotation: [cutOver], .mirroring: [mirror],
            ]))
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(cutOver.applied == 0)
        _ = try engine.approve(.keyRotation, by: "alice", note: "Apple/Google confirmed")
        #expect(try await engine.apply() == .steady)
        #expect([export.applied, importer.applied, cutOver.applied, mirror.applied] as [Int] == [1, 1, 1, 1])
        #expect(mirror.steadyPasses == 0)
        #expect(try await engine.apply() == .steady)
        #expect(try await engine.apply() == .steady)
        #expect(mirror.steadyPasses == 2 && mirror.applied == 1)
        #expect(try engine.journal.firstBrokenRecord() == nil)
    }

    @Test("a full run needs all three approvals and completes")
    func fullRun() async throws {
        let engine = try orchestrator(.full)
        for gate in [Gate.keyRotation, .appUpdate, .decommission] {
            #expect(try await engine.apply() == .waitingForApproval(gate))
            _ = try engine.approve(gate, by: "alice", note: "")
        }
        #expect(try await engine.apply() == .complete)
    }

    @Test("approving a gate the run has not reached is refused and records nothing")
    func earlyApproval() async throws {
        let checks = ScriptedCheck("import lag", .failed)
        let engine = try orchestrator(registry: WorkerRegistry(steps: [.importing: [importer]], exitChecks: [.importing: [checks]]))
        #expect(try await engine.apply() == .blocked("import lag: import lag is 2 periods"))
        let before = try engine.journal.records().count
        #expect(throws: RunStateMachine.IllegalTransition.self) { try engine.approve(.keyRotation, by: "alice", note: "") }
        #expect(try engine.journal.records().count == before)
        checks.set(.passed)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(importer.applied == 1)
    }

    @Test("a blocked phase catches up (one more pass of its workers) before its checks run again")
    func catchUpBeforeChecks() async throws {
        let checks = ScriptedCheck("import lag", .failed)
        // Wired by the phase definitions: the importer's role recurs in importing and, while the
        // key-rotation gate waits, in preparing-cut-over.
        let engine = try orchestrator(registry: WorkerRegistry(workers: [.importer: [importer]], checks: [.importComplete: [checks]]))
        #expect(try await engine.apply() == .blocked("import lag: import lag is 2 periods"))
        #expect(importer.steadyPasses == 0)
        #expect(try await engine.apply() == .blocked("import lag: import lag is 2 periods"))
        #expect(importer.steadyPasses == 1)
        checks.set(.passed)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        // One catch-up before the checks; none at the gate in the pass that just checked.
        #expect(importer.steadyPasses == 2)
        #expect(importer.applied == 1)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(importer.steadyPasses == 3, "the next pass at the gate catches up")
    }

    @Test("a run an older enmigrate left in importing, its six workers done there, prepares the cut-over in its own phase before the gate")
    func olderRunInImporting() async throws {
        // The journal as an older enmigrate left it: importing's step done (staging, proof and
        // request among its workers then), the run blocked on its checks.
        let journal = try Journal.open(path: path)
        let (fence, _) = try journal.acquireLease(owner: time.environment.owner, now: time.now, ttl: .seconds(15), isAlive: { _ in true })
        let mode = MigrationPhase.Mode.readOnly
        try journal.startRun(planHash: "sha256:plan", machine: RunStateMachine(mode: mode), fence: fence, at: time.now)
        let entered = RunStateMachine(mode: mode, phase: .importing, status: .running)
        try journal.append(.phaseEntered, machine: entered, fence: fence, at: time.now)
        let done = RunStateMachine(mode: mode, phase: .importing, status: .running, stepDone: true)
        for worker in ["export-importer", "mirror-stage", "coverage-proof", "rotation-request"] {
            try journal.append(.stepDone, machine: done, detail: ["worker": worker], fence: fence, at: time.now)
        }
        let blocked = RunStateMachine(mode: mode, phase: .importing, status: .waiting, stepDone: true)
        try journal.append(.blocked, machine: blocked, detail: ["reason": "coverage: pending"], fence: fence, at: time.now)
        try journal.releaseLease(fence: fence)

        let stage = ScriptedWorker("mirror-stage"), proof = ScriptedWorker("coverage-proof")
        let engine = try orchestrator(
            registry: WorkerRegistry(workers: [.importer: [importer], .mirrorStage: [stage], .coverageProof: [proof]], checks: [:]))
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        // Importing is not run again; its checks are, after one catch-up; the new phase's step
        // runs its workers (again: they are idempotent), and the gate's wait keeps them going
        // from the next pass on.
        #expect(importer.applied == 0)
        #expect(stage.applied == 1 && proof.applied == 1)
        #expect(stage.steadyPasses == 0 && importer.steadyPasses == 1)
        let phases = try engine.journal.records().filter { $0.kind == .phaseEntered }.map(\.phase)
        #expect(phases == [.importing, .preparingCutOver, .keyRotation])
    }

    @Test("waiting at a gate is not idle: each apply passes the previous phase's recurring work once more")
    func passesWhileWaiting() async throws {
        let engine = try orchestrator(registry: WorkerRegistry(workers: [.importer: [importer], .cutOver: [cutOver]], checks: [:]))
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(importer.applied == 1)
        #expect(importer.steadyPasses == 0, "the pass that reached the gate just ran the work")
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(importer.steadyPasses == 1)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(importer.steadyPasses == 2)
        #expect(cutOver.applied == 0)
    }

    @Test("transient failures retry with exponential backoff from the plan")
    func retries() async throws {
        let flaky = ScriptedWorker("importer", failures: 2)
        let engine = try orchestrator(registry: WorkerRegistry(steps: [.importing: [flaky]]), attempts: 3)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(flaky.attempts == 3)
        #expect(time.sleeps == [.seconds(1), .seconds(2)])
    }

    @Test("a step that keeps failing leaves the run failed; resume runs it again and goes on")
    func failureThenResume() async throws {
        let flaky = ScriptedWorker("importer", failures: 3)
        let engine = try orchestrator(registry: WorkerRegistry(steps: [.dualExport: [export], .importing: [flaky]]), attempts: 3)
        #expect(try await engine.apply() == .failed("importer: scripted failure 3"))
        #expect(try engine.journal.lastRecord()?.status == .failed)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(export.applied == 1)
        #expect(flaky.applied == 1)
    }

    @Test("a hanging step times out and fails the run")
    func timeout() async throws {
        let stuck = ScriptedWorker("importer", hangs: true)
        let engine = try orchestrator(registry: WorkerRegistry(steps: [.importing: [stuck]]), attempts: 1, timeout: .milliseconds(50))
        let outcome = try await engine.apply()
        #expect(outcome == .failed("importer: timed out after 0.05 seconds"))
    }

    @Test("a changed plan hash is refused before anything runs")
    func planChanged() async throws {
        _ = try await orchestrator().apply()
        let changed = try orchestrator(hash: "sha256:other")
        await #expect(throws: JournalError.planChanged(started: "sha256:plan", now: "sha256:other")) { try await changed.apply() }
    }

    @Test("an intent without a done record asks the worker first: finished work is not redone")
    func crashRecovery() async throws {
        let engine = try orchestrator()
        let journal = engine.journal
        let (fence, _) = try journal.acquireLease(owner: time.environment.owner, now: time.now, ttl: .seconds(15)) { _ in true }
        var machine = RunStateMachine(mode: .readOnly)
        try journal.startRun(planHash: "sha256:plan", machine: machine, fence: fence, at: time.now)
        _ = try machine.handle(.begin)
        _ = try machine.handle(.checksPassed)
        try journal.append(.phaseEntered, machine: machine, fence: fence, at: time.now)
        try journal.append(.stepIntent, machine: machine, attempt: 1, detail: ["worker": "dual-export"], fence: fence, at: time.now)
        try await export.apply() // the work happened; the process died before writing done
        try journal.releaseLease(fence: fence)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(export.applied == 1)
        #expect(try journal.records().contains { $0.kind == .stepDone && $0.detail.contains("recovered") })
    }

    @Test("an expired approval is not used; the run waits again")
    func expiredApproval() async throws {
        let engine = try orchestrator()
        _ = try await engine.apply()
        _ = try engine.approve(.keyRotation, by: "alice", note: "")
        time.advance(73 * 3600)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        #expect(cutOver.applied == 0)
    }

    @Test("abort before cut-over stops the run for good")
    func abortBeforeCutOver() async throws {
        let engine = try orchestrator()
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        await #expect(throws: RunStateMachine.IllegalTransition.self) { try await engine.abort(restoreClientIndex: true) }
        #expect(try await engine.abort(restoreClientIndex: false) == RunOutcome.aborted)
        await #expect(throws: RunStateMachine.IllegalTransition.self) { try await engine.apply() }
        #expect(cutOver.applied == 0)
    }

    @Test("after cut-over plain abort is refused; restoring the client index is allowed")
    func abortAfterCutOver() async throws {
        let engine = try orchestrator()
        _ = try await engine.apply()
        _ = try engine.approve(.keyRotation, by: "alice", note: "")
        #expect(try await engine.apply() == .steady)
        await #expect(throws: RunStateMachine.IllegalTransition.self) { try await engine.abort(restoreClientIndex: false) }
        #expect(try await engine.abort(restoreClientIndex: true) == RunOutcome.aborted)
        #expect(try engine.journal.records().contains { $0.kind == .restoreIntent })
    }

    @Test("an abort requested while another process holds the run is not buried by an approval or an accepted loss recorded after it")
    func abortRequestNotBuried() async throws {
        let engine = try orchestrator()
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        // What `abort` records while another apply holds the lock: a request for the holder.
        let run = try #require(try engine.journal.run())
        let machine = RunStateMachine.restored(run: run, last: try engine.journal.lastRecord())
        try engine.journal.append(.abortRequested, machine: machine, fence: 0, at: time.environment.now())
        _ = try engine.approve(.keyRotation, by: "alice", note: "")
        _ = try engine.acceptLoss(files: ["exposureKeyExport-US-XX/a.zip"], by: "bob", note: "a RECURSIVE key")
        #expect(try engine.journal.lastRecord()?.kind == .lossAccepted)
        #expect(try await engine.apply() == .aborted)
        #expect(cutOver.applied == 0, "the cut-over ran although the run was asked to abort")
        #expect(Orchestrator.acceptedLosses(try engine.journal.records()).map(\.by) == ["bob"])
    }
}
