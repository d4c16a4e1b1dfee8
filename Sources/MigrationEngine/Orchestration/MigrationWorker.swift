/// A unit of real work in a phase (export writer, importer, mirror, …). The engine knows
/// workers only through this protocol; the commands target supplies them.
///
/// Every method may be called again after a crash, so `apply` must be idempotent.
public protocol MigrationWorker: Sendable {
    /// A stable name, used in the journal to know which work is done.
    var name: String { get }
    /// What `apply` would do, without side effects (the dry run): "import 12 new files, 204,000 keys".
    func describePlannedWork() async throws -> String
    /// Whether the work is already done: asked after a crash left an intent without a done record.
    func isDone() async throws -> Bool
    /// Does the work.
    func apply() async throws
    /// Checks the work's postconditions after `apply`.
    func verify() async throws
    /// One more pass of recurring work (import new files, mirror new national files): called on
    /// every `apply` of a steady run for the `mirroring` phase's workers, and before a phase's
    /// exit checks are evaluated again when its step finished in an earlier `apply`.
    func steadyPass() async throws
    /// Facts about finished work to keep in the step's done record (the cut-over's swap time).
    func journalDetail() async -> [String: String]
}

extension MigrationWorker {
    public func journalDetail() async -> [String: String] { [:] }

    /// Most workers do their work once; recurring ones (importer, exporters, mirror) pass again.
    public func steadyPass() async throws {}
}

/// A precondition of a phase: checked against the real systems before every transition.
public protocol MigrationCheck: Sendable {
    /// A stable name, shown with its result.
    var name: String { get }
    /// Evaluates the check. `pending` means its inputs come from a step that has not run yet.
    func evaluate() async -> CheckResult
}

/// A check's result with a reason a person can act on.
public struct CheckResult: Sendable, Equatable, Codable {
    /// Pass, fail, pending, or inconclusive: the check could not read everything it must
    /// judge (a file that is unavailable is never counted as "nothing there"). Only `passed`
    /// lets a run go on.
    public enum Outcome: String, Sendable, Codable {
        case passed, failed, pending, inconclusive
    }

    public let name: String
    public let outcome: Outcome
    public let reason: String

    public init(name: String, outcome: Outcome, reason: String) {
        self.name = name
        self.outcome = outcome
        self.reason = reason
    }
}

/// Which workers run in which phase, which keep running once its step is done, and which
/// checks guard leaving it. The product builds it from ``MigrationPhase/definitions`` with
/// ``init(workers:checks:restoreClientIndex:)``: the plan supplies the workers of each role and
/// the table places them. Engine tests wire phases directly.
public struct WorkerRegistry: Sendable {
    public var steps: [MigrationPhase: [any MigrationWorker]]
    /// Each phase's recurring work (``PhaseDefinition/recurring``); a phase not named here
    /// repeats its step's workers.
    public var recurring: [MigrationPhase: [any MigrationWorker]]
    public var exitChecks: [MigrationPhase: [any MigrationCheck]]
    /// Puts the state's own client index back (`abort --restore-client-index`); nil when the
    /// plan has no mirror to undo.
    public var restoreClientIndex: (@Sendable () async throws -> Void)?

    public init(
        steps: [MigrationPhase: [any MigrationWorker]] = [:], recurring: [MigrationPhase: [any MigrationWorker]] = [:],
        exitChecks: [MigrationPhase: [any MigrationCheck]] = [:], restoreClientIndex: (@Sendable () async throws -> Void)? = nil
    ) {
        self.steps = steps
        self.recurring = recurring
        self.exitChecks = exitChecks
        self.restoreClientIndex = restoreClientIndex
    }

    /// Every phase wired as ``MigrationPhase/definitions`` declares it, from the workers and
    /// checks the plan has for each role (a role with none is left out).
    public init(
        workers: [WorkerRole: [any MigrationWorker]], checks: [CheckRole: [any MigrationCheck]],
        restoreClientIndex: (@Sendable () async throws -> Void)? = nil
    ) {
        var steps: [MigrationPhase: [any MigrationWorker]] = [:]
        var recurring: [MigrationPhase: [any MigrationWorker]] = [:]
        var exitChecks: [MigrationPhase: [any MigrationCheck]] = [:]
        for definition in MigrationPhase.definitions {
            steps[definition.phase] = definition.step.flatMap { workers[$0] ?? [] }
            recurring[definition.phase] = definition.recurring.flatMap { workers[$0] ?? [] }
            exitChecks[definition.phase] = definition.exitChecks.flatMap { checks[$0] ?? [] }
        }
        self.init(steps: steps, recurring: recurring, exitChecks: exitChecks, restoreClientIndex: restoreClientIndex)
    }

    /// The workers whose `steadyPass()` keeps `phase`'s work going once its step is done.
    public func recurringWork(of phase: MigrationPhase) -> [any MigrationWorker] {
        recurring[phase] ?? steps[phase] ?? []
    }
}
