import Foundation
import Testing
@testable import MigrationEngine

@Suite("A running migration adopts a plan whose changes are safe")
struct PlanAdoptionTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-adopt-\(UUID().uuidString)/journal.db").path
    let time = TestTime()
    let cutOver = ScriptedWorker("cut-over")

    func orchestrator(hash: String, document: String? = nil, owner: LockOwner? = nil) throws -> Orchestrator {
        var definition = RunDefinition(planHash: hash, mode: .readOnly)
        definition.planDocument = document
        var environment = time.environment
        if let owner { environment.owner = owner }
        return Orchestrator(
            journal: try Journal.open(path: path), registry: WorkerRegistry(steps: [.keyRotation: [cutOver]]),
            definition: definition, environment: environment)
    }

    @Test("the adopted plan is the run's plan from then on; the one it started with is refused; an approval given before carries over")
    func adoptedPlanRuns() async throws {
        let first = try orchestrator(hash: "sha256:one", document: "{\"v\":1}")
        #expect(try await first.apply() == .waitingForApproval(.keyRotation))
        _ = try first.approve(.keyRotation, by: "alice", note: "confirmed")

        let second = try orchestrator(hash: "sha256:two", document: "{\"v\":2}")
        await #expect(throws: JournalError.planChanged(started: "sha256:one", now: "sha256:two")) { try await second.apply() }
        #expect(try second.adoptPlan(changes: ["/workers/interval: 5m → 6m"]) == .adopted(from: "sha256:one"))
        #expect(try second.journal.document("plan") == Data("{\"v\":2}".utf8))
        let record = try #require(try second.journal.lastRecord())
        #expect(record.kind == .planAdopted && record.phase == .keyRotation && record.status == .waiting)
        #expect(CheckRecord.value(record.detail, "changes") == "/workers/interval: 5m → 6m")
        // A third plan diffed against the first one while the second was adopted: refused, nothing recorded.
        let third = try orchestrator(hash: "sha256:three", document: "{\"v\":3}")
        #expect(throws: JournalError.planChanged(started: "sha256:two", now: "sha256:three")) {
            try third.adoptPlan(changes: ["/workers/concurrency: 4 → 8"], expected: "sha256:one")
        }
        #expect(try third.journal.document("plan") == Data("{\"v\":2}".utf8))
        // Adopting again records nothing more.
        #expect(try second.adoptPlan(changes: []) == .alreadyCurrent)
        #expect(try second.journal.records().filter { $0.kind == .planAdopted }.count == 1)

        // The run's plan is now the adopted one: going back is a change like any other.
        await #expect(throws: JournalError.planChanged(started: "sha256:two", now: "sha256:one")) { try await first.apply() }
        #expect(try await second.apply() == .steady)
        #expect(cutOver.applied == 1)
        #expect(try second.journal.firstBrokenRecord() == nil)
    }

    @Test("an approval of a plan the run never ran on is not used")
    func foreignApprovalRefused() async throws {
        let first = try orchestrator(hash: "sha256:one")
        #expect(try await first.apply() == .waitingForApproval(.keyRotation))
        let approval = Approval(
            gate: .keyRotation, by: "mallory", note: "", at: time.now, expires: time.now.addingTimeInterval(3600), planHash: "sha256:elsewhere")
        let machine = RunStateMachine.restored(run: try #require(try first.journal.run()), last: try first.journal.lastRecord())
        try first.journal.append(
            .approval, machine: machine,
            detail: [
                "gate": "key-rotation", "by": approval.by, "note": "", "expires": String(approval.expires.timeIntervalSince1970), "planHash": approval.planHash,
            ],
            fence: 0, at: time.now)
        #expect(try first.validApproval(for: .keyRotation) == nil)
        #expect(try await first.apply() == .waitingForApproval(.keyRotation))
        #expect(cutOver.applied == 0)
    }

    @Test("adopting needs the run lock: while another process holds it nothing is recorded")
    func lockHeld() async throws {
        let first = try orchestrator(hash: "sha256:one", document: "{\"v\":1}")
        #expect(try await first.apply() == .waitingForApproval(.keyRotation))
        let other = LockOwner(user: "ops", host: "replica-2", pid: 77)
        _ = try first.journal.acquireLease(owner: other, now: time.now, ttl: .seconds(15), isAlive: { _ in true })
        let before = try first.journal.records().count
        let second = try orchestrator(hash: "sha256:two", document: "{\"v\":2}")
        #expect(throws: JournalError.self) { try second.adoptPlan(changes: ["/workers/interval: 5m → 6m"]) }
        #expect(try second.journal.records().count == before)
        #expect(try second.journal.document("plan") == Data("{\"v\":1}".utf8))
    }

    @Test("a holder stopped past its lease: adopt takes the run, and the stopped holder's next write is refused by the fence")
    func stoppedHolderFenced() async throws {
        let first = try orchestrator(hash: "sha256:one", document: "{\"v\":1}")
        #expect(try await first.apply() == .waitingForApproval(.keyRotation))
        let stopped = LockOwner(user: "ops", host: "replica-2", pid: 77)
        let (fence, _) = try first.journal.acquireLease(owner: stopped, now: time.now, ttl: .seconds(15), isAlive: { _ in true })
        time.advance(60)
        let second = try orchestrator(hash: "sha256:two", document: "{\"v\":2}")
        #expect(try second.adoptPlan(changes: ["/workers/interval: 5m → 6m"], expected: "sha256:one") == .adopted(from: "sha256:one"))
        let before = try first.journal.records().count
        let machine = RunStateMachine.restored(run: try #require(try first.journal.run()), last: try first.journal.lastRecord())
        #expect(throws: JournalError.self) { try first.journal.append(.steady, machine: machine, fence: fence, at: time.now) }
        #expect(try first.journal.records().count == before)
    }
}
