import Foundation
import Testing
@testable import MigrationEngine

@Suite("The dry run: the apply path with side effects off")
struct DryRunTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-dry-\(UUID().uuidString)/journal.db").path
    let definition = RunDefinition(planHash: "sha256:plan", mode: .readOnly)
    let export = ScriptedWorker("dual-export")
    let importer = ScriptedWorker("importer")
    let cutOver = ScriptedWorker("cut-over")

    func registry(checks: [MigrationPhase: [any MigrationCheck]] = [:]) -> WorkerRegistry {
        WorkerRegistry(steps: [.dualExport: [export], .importing: [importer], .keyRotation: [cutOver]], exitChecks: checks)
    }

    @Test("a fresh run: phases up to the first gate, what each worker would do, nothing applied")
    func freshRun() async throws {
        let report = try await Orchestrator.dryRun(journal: nil, registry: registry(), definition: definition)
        #expect(report.transitions == ["dual-export", "importing", "preparing-cut-over", "key-rotation"])
        #expect(report.waitsAt == "key-rotation")
        #expect(report.work.map(\.worker) == ["dual-export", "importer"])
        #expect(report.changesPending && report.blockedBy == nil)
        #expect([export.applied, importer.applied, cutOver.applied] as [Int] == [0, 0, 0])
    }

    @Test("a check that fails after a step the dry run only imagined is pending, not blocking; the walk goes on")
    func pendingAfterSimulatedStep() async throws {
        let lag = ScriptedCheck("import lag", .failed)
        let report = try await Orchestrator.dryRun(
            journal: nil, registry: registry(checks: [.dualExport: [lag]]),
            definition: definition)
        #expect(report.checks.map(\.outcome) == [.pending])
        #expect(report.checks.first?.reason.contains("import lag is 2 periods") == true)
        #expect(report.blockedBy == nil)
        #expect(report.transitions == ["dual-export", "importing", "preparing-cut-over", "key-rotation"])
        #expect(report.waitsAt == "key-rotation")
    }

    @Test("a check that fails on data that exists blocks, naming the check and its reason")
    func blockedOnExistingData() async throws {
        let index = ScriptedCheck("index sorted", .failed)
        let report = try await Orchestrator.dryRun(
            journal: nil, registry: registry(checks: [.planned: [index]]),
            definition: definition)
        #expect(report.blockedBy == "index sorted: import lag is 2 periods")
        #expect(report.transitions.isEmpty && report.work.isEmpty)
    }

    @Test("against an existing journal: starts where the run is, writes nothing, refuses a changed plan")
    func existingJournal() async throws {
        let time = TestTime()
        let engine = Orchestrator(
            journal: try Journal.open(path: path), registry: registry(), definition: definition,
            environment: time.environment)
        #expect(try await engine.apply() == .waitingForApproval(.keyRotation))
        let readOnly = try Journal.open(path: path, create: false, readOnly: true)
        let before = try readOnly.records().count
        let report = try await Orchestrator.dryRun(journal: readOnly, registry: registry(), definition: definition)
        #expect(report.startPhase == "key-rotation" && report.waitsAt == "key-rotation")
        #expect(!report.changesPending)
        #expect(try readOnly.records().count == before)
        var changed = definition
        changed.planHash = "sha256:other"
        await #expect(throws: JournalError.self) {
            _ = try await Orchestrator.dryRun(journal: readOnly, registry: registry(), definition: changed)
        }
    }
}
