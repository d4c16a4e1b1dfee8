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

/// Which workers run in which phase and which checks guard leaving it; the `mirroring`
/// phase's workers also get a `steadyPass()` on every apply of a steady run. The single seam
/// the worker issues fill in.
public struct WorkerRegistry: Sendable {
    public var steps: [MigrationPhase: [any MigrationWorker]]
    public var exitChecks: [MigrationPhase: [any MigrationCheck]]
    /// Puts the state's own client index back (`abort --restore-client-index`); nil when the
    /// plan has no mirror to undo.
    public var restoreClientIndex: (@Sendable () async throws -> Void)?

    public init(
        steps: [MigrationPhase: [any MigrationWorker]] = [:], exitChecks: [MigrationPhase: [any MigrationCheck]] = [:],
        restoreClientIndex: (@Sendable () async throws -> Void)? = nil
    ) {
        self.steps = steps
        self.exitChecks = exitChecks
        self.restoreClientIndex = restoreClientIndex
    }
}
