import ExposureExport
import Foundation
import MigrationEngine
import MigrationPlan
import MigrationRehearsal
import MigrationStores
import MigrationWorkers

/// Everything an engine verb needs, built from the plan: the composition root that turns the
/// plan into the engine's own terms and picks the journal driver and the workers.
struct EngineContext {
    let plan: MigrationPlan
    let planHash: String
    /// `apply --take-back-client-index`.
    var takeBackClientIndex = false
    let journal: JournalLocation
    let definition: RunDefinition
    /// The run lock as this process holds it, shared by the engine and the workers.
    let heldLease = HeldLease()
    /// How the plan's buckets are reached; credentials are found once and shared by every store.
    let cloud: CloudStoreSettings
    /// The plan's hooks; told about events only when ``runsHooks`` (apply, resume, approve).
    let hooks: HookRunner
    /// Whether this verb tells the hooks (the verbs that move a run; never a dry run or a look).
    var runsHooks = false
    /// Where each field of the plan file stands, for a diff against the run's plan.
    var planLines: [String: Int] = [:]
    /// Who runs this verb and why, kept in the detail of every journal record it appends:
    /// `--by` (else `user@host`) and `--note` when given.
    private(set) var attribution: [String: String] = ["by": EngineContext.defaultOperator]

    /// The operator a verb names when no `--by` is given: `user@host`.
    static var defaultOperator: String {
        let owner = LockOwner.current
        return "\(owner.user)@\(owner.host)"
    }

    /// Records `by` (else `user@host`) and `note` on the records this verb appends.
    mutating func attribute(by: String?, note: String?) {
        attribution = ["by": by ?? Self.defaultOperator]
        if let note { attribution["note"] = note }
    }

    /// What changed between the plan the run runs on (the one it started with, or the last
    /// adopted) and the file, when the run kept its plan (runs started by an older enmigrate
    /// did not: nil).
    func planChange(in journal: Journal) throws -> PlanDiff? {
        guard let run = try journal.run(), try journal.currentPlanHash(of: run) != planHash, let now = definition.planDocument,
            let started = try journal.document("plan").map({ String(decoding: $0, as: UTF8.self) })
        else { return nil }
        return PlanDiff.between(started: started, now: now, lines: planLines)
    }

    /// Loads and validates the plan; prints its errors and exits 1 when it is invalid.
    static func load(_ planPath: String) throws -> EngineContext {
        let result = PlanLoader.load(contentsOf: URL(fileURLWithPath: planPath), displayName: planPath, checks: [BucketLocationCheck()])
        guard let plan = result.plan, let hash = result.planHash else {
            throw PlanInvalid(
                lines: result.diagnostics.filter { $0.severity == .error }.map(\.description)
                    + ["\(planPath): the plan is not valid; see `enmigrate validate \(planPath)`"])
        }
        let journal: JournalLocation
        do {
            journal = try JournalLocation(plan.journal, reports: plan.reports)
        } catch {
            printError("\(planPath): journal: \(error)")
            throw EnmigrateExit.error
        }
        let gates = plan.gates
        var required: Set<MigrationEngine.Gate> = [.keyRotation, .decommission]
        if gates.appUpdate.approvalRequired { required.insert(.appUpdate) }
        let definition = RunDefinition(
            planHash: hash, mode: plan.mode == .full ? .full : .readOnly, requiredGates: required,
            attempts: plan.workers.retry.attempts, backoff: plan.workers.retry.backoff, maxBackoff: plan.workers.retry.maxBackoff,
            stepTimeout: plan.workers.stepTimeout,
            gateExpiry: [
                .keyRotation: gates.keyRotation.expiresAfter, .appUpdate: gates.appUpdate.expiresAfter,
                .decommission: gates.decommission.expiresAfter,
            ])
        var kept = definition
        kept.planDocument = result.canonical
        return EngineContext(
            plan: plan, planHash: hash, journal: journal, definition: kept, cloud: CloudStoreSettings(plan: plan.buckets),
            hooks: HookRunner(hooks: plan.hooks ?? [], migration: plan.name), planLines: result.lines)
    }

    /// The real workers and checks of each phase (dual-export, importer, national export),
    /// reporting progress through `events`.
    func registry(events: @escaping @Sendable (MigrationEvent) -> Void = { _ in }, dryRun: Bool = false) throws -> WorkerRegistry {
        var assembly = workers(events: events)
        assembly.dryRun = dryRun
        return try assembly.registry()
    }

    func workers(events: @escaping @Sendable (MigrationEvent) -> Void = { _ in }) -> WorkerAssembly {
        let lease = heldLease
        var assembly = WorkerAssembly(
            plan: plan, journal: journal,
            environment: WorkerEnvironment(report: hooked(events), confirmLease: { try lease.confirm() }))
        assembly.takeBackClientIndex = takeBackClientIndex
        assembly.cloud = cloud
        assembly.heldLease = heldLease
        if runsHooks {
            let hooks = self.hooks
            assembly.beforeCutOverHooks = { try await hooks.beforeCutOver() }
        }
        return assembly
    }

    /// `events`, and the hooks told about them when this verb runs hooks.
    private func hooked(_ events: @escaping @Sendable (MigrationEvent) -> Void) -> @Sendable (MigrationEvent) -> Void {
        guard runsHooks, !hooks.hooks.isEmpty else { return events }
        let hooks = self.hooks
        return { event in
            events(event)
            hooks.notify(event)
        }
    }

    /// The engine with the plan's workers; `withWorkers: false` for verbs that only record
    /// (approve, abort) and must not open the stores.
    func orchestrator(
        journal: Journal, events: @escaping @Sendable (MigrationEvent) -> Void = { _ in },
        withWorkers: Bool = true
    ) throws -> Orchestrator {
        Orchestrator(
            journal: journal, registry: withWorkers ? try registry(events: events) : WorkerRegistry(),
            definition: definition, environment: EngineEnvironment(heldLease: heldLease), events: hooked(events))
    }

    /// The plan's journal, its records attributed to this verb's operator.
    func openJournal(create: Bool = true, readOnly: Bool = false) throws -> Journal {
        try journal.open(create: create, readOnly: readOnly).attributed(attribution)
    }
}

/// A plan with errors: its diagnostics and what to run, printed by the verb that loaded it
/// (and, with `--json`, given as the error's message).
struct PlanInvalid: Error, CustomStringConvertible {
    let lines: [String]
    var description: String { lines.joined(separator: "\n") }
}
