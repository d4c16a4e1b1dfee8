import Testing
import MigrationEngine

@Suite("The phases as data: one table the engine, the dry run and the docs read")
struct PhaseDefinitionTests {
    @Test("every phase once, in order; every gate on exactly one phase; every role and check used")
    func table() {
        #expect(MigrationPhase.definitions.map(\.phase) == MigrationPhase.allCases)
        for gate in Gate.allCases {
            #expect(MigrationPhase.definitions.filter { $0.gate == gate }.map(\.phase) == [gate.phase], "\(gate)")
        }
        let workers = Set(MigrationPhase.definitions.flatMap { $0.step + $0.recurring })
        #expect(workers == Set(WorkerRole.allCases), "unused: \(Set(WorkerRole.allCases).subtracting(workers))")
        let checks = Set(MigrationPhase.definitions.flatMap(\.exitChecks))
        #expect(checks == Set(CheckRole.allCases), "unused: \(Set(CheckRole.allCases).subtracting(checks))")
        // Once a phase cannot be undone, none after it can.
        let reversible = MigrationPhase.definitions.map(\.isReversible)
        #expect(reversible == reversible.sorted { $0 && !$1 })
    }

    @Test("the cut-over is prepared in a phase of its own, before the gate, and kept ready while it waits")
    func preparingCutOver() {
        let preparing = MigrationPhase.preparingCutOver.definition
        #expect(MigrationPhase.importing.next(in: .readOnly) == .preparingCutOver)
        #expect(MigrationPhase.preparingCutOver.next(in: .full) == .keyRotation)
        #expect(preparing.step == [.mirrorStage, .coverageProof, .rotationRequest])
        #expect(preparing.exitChecks == [.pipelineDrained, .coverage])
        // While the gate waits, new state files are imported, exported, staged and proved again.
        #expect(preparing.recurring == [.dualExport, .importer, .nationalExport, .mirrorStage, .coverageProof])
        #expect(!MigrationPhase.importing.definition.step.contains(.mirrorStage))
        #expect(preparing.isReversible)
    }

    @Test("the registry places each role's workers where the table says; a role with none is left out")
    func registryPlacesRoles() {
        let importer = ScriptedWorker("export-importer"), stage = ScriptedWorker("mirror-stage")
        let proof = ScriptedWorker("coverage-proof"), mirror = ScriptedWorker("mirror")
        let drained = ScriptedCheck("pipeline-drained", .passed)
        let registry = WorkerRegistry(
            workers: [.importer: [importer], .mirrorStage: [stage], .coverageProof: [proof], .mirror: [mirror]],
            checks: [.pipelineDrained: [drained]])
        #expect(registry.steps[.importing]?.map(\.name) == ["export-importer"])
        #expect(registry.steps[.preparingCutOver]?.map(\.name) == ["mirror-stage", "coverage-proof"])
        #expect(registry.recurringWork(of: .preparingCutOver).map(\.name) == ["export-importer", "mirror-stage", "coverage-proof"])
        #expect(registry.recurringWork(of: .mirroring).map(\.name) == ["export-importer", "mirror"])
        #expect(registry.recurringWork(of: .keyRotation).isEmpty)
        #expect(registry.exitChecks[.preparingCutOver]?.map(\.name) == ["pipeline-drained"])
        #expect(registry.exitChecks[.importing]?.isEmpty == true)
    }
}
