import ExposureExport
import Foundation
import MigrationEngine
import MigrationPlan

/// Everything an engine verb needs, built from the plan: the composition root that turns the
/// plan into the engine's own terms and picks the journal driver and the workers.
struct EngineContext {
    let plan: MigrationPlan
    let planHash: String
    let journalPath: String
    let definition: RunDefinition

    /// Loads and validates the plan; prints its errors and exits 1 when it is invalid.
    static func load(_ planPath: String) throws -> EngineContext {
        let result = PlanLoader.load(contentsOf: URL(fileURLWithPath: planPath), displayName: planPath)
        guard let plan = result.plan, let hash = result.planHash else {
            result.diagnostics.filter { $0.severity == .error }.forEach { printError($0.description) }
            printError("\(planPath): the plan is not valid; see `enmigrate validate \(planPath)`")
            throw EnmigrateExit.error
        }
        guard case .sqlite(let path) = plan.journal else {
            printError("\(planPath): journal \(plan.journal) is not supported yet; use journal: sqlite:PATH")
            throw EnmigrateExit.error
        }
        let gates = plan.gates
        var required: Set<MigrationEngine.Gate> = [.keyRotation, .decommission]
        if gates.appUpdate.approvalRequired { required.insert(.appUpdate) }
        let definition = RunDefinition(
            planHash: hash, mode: plan.mode == .full ? .full : .readOnly, requiredGates: required,
            attempts: plan.workers.retry.attempts, backoff: plan.workers.retry.backoff, maxBackoff: plan.workers.retry.maxBackoff,
            stepTimeout: plan.workers.stepTimeout,
            gateExpiry: [.keyRotation: gates.keyRotation.expiresAfter, .appUpdate: gates.appUpdate.expiresAfter,
                         .decommission: gates.decommission.expiresAfter])
        return EngineContext(plan: plan, planHash: hash, journalPath: path, definition: definition)
    }

    /// The workers and checks of each phase. This is the single seam the worker issues fill
    /// (dual-export, importer, cut-over and mirror, decommission); until then every phase
    /// advances on its gates alone.
    var registry: WorkerRegistry { WorkerRegistry() }

    func orchestrator(journal: Journal, events: @escaping @Sendable (MigrationEvent) -> Void = { _ in }) -> Orchestrator {
        Orchestrator(journal: journal, registry: registry, definition: definition, events: events)
    }

    func openJournal(create: Bool = true) throws -> Journal {
        try Journal.open(path: journalPath, create: create)
    }
}
