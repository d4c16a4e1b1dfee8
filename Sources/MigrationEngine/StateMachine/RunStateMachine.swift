/// The transition table of a migration run: a value that takes events and returns the actions
/// to perform, with no I/O. The orchestrator performs the actions and journals them; this type
/// only decides.
public struct RunStateMachine: Sendable, Equatable {
    /// Something that happened.
    public enum Event: Sendable, Equatable {
        /// `apply` or `resume` starts working on the run.
        case begin
        /// The current phase's step finished and verified.
        case stepSucceeded
        /// The current phase's step failed after its retries.
        case stepFailed(reason: String)
        /// The checks that guard the next phase all passed.
        case checksPassed
        /// A check failed on data that exists (or is not yet true).
        case checksBlocked(reason: String)
        /// A person approved `gate`.
        case approved(Gate)
        /// `abort`.
        case abort
        /// `abort --restore-client-index`.
        case restoreClientIndex
    }

    /// What to do next.
    public enum Action: Sendable, Equatable {
        /// Run the current phase's step (its workers).
        case runStep(MigrationPhase)
        /// Run the checks that guard leaving `phase`.
        case runExitChecks(MigrationPhase)
        /// Record that the run waits for `gate` and stop (exit 4).
        case waitForApproval(Gate)
        /// Record entering `phase`.
        case enterPhase(MigrationPhase)
        /// Read-only end state: keep the steady-state workers running.
        case holdSteady
        /// The full migration is complete.
        case finish
        /// Stop: a check blocks (exit 3).
        case stopBlocked(String)
        /// Stop: a step failed; resumable.
        case stopFailed(String)
        /// Swap the client index back to the state's own feed.
        case restoreClientIndex
        /// Stop: the run is aborted.
        case stopAborted
    }

    /// An event that is not allowed in the current state, with a reason a person can act on.
    public struct IllegalTransition: Error, Equatable, Sendable, CustomStringConvertible {
        public let phase: MigrationPhase
        public let status: RunStatus
        public let event: Event
        public let reason: String
        public var description: String { reason }
    }

    /// The phase the run is in.
    public private(set) var phase: MigrationPhase
    /// The run's status.
    public private(set) var status: RunStatus
    /// Whether the current phase's step has completed (its exit checks remain).
    public private(set) var stepDone: Bool
    /// How far the migration goes.
    public let mode: MigrationPhase.Mode
    /// Gates that need a person's approval (key-rotation and decommission always do).
    public let requiredGates: Set<Gate>

    /// A new run, or a run restored from the journal.
    public init(
        mode: MigrationPhase.Mode, requiredGates: Set<Gate> = Set(Gate.allCases),
        phase: MigrationPhase = .planned, status: RunStatus = .waiting, stepDone: Bool = false
    ) {
        self.mode = mode
        self.requiredGates = requiredGates.union([.keyRotation, .decommission])
        self.phase = phase
        self.status = status
        self.stepDone = stepDone
    }

    /// Applies `event` and returns the actions to perform, in order.
    public mutating func handle(_ event: Event) throws(IllegalTransition) -> [Action] {
        switch event {
        case .begin: return try begin()
        case .stepSucceeded:
            try require(status == .running && !stepDone, event, "no step is running in \(phase.rawValue)")
            stepDone = true
            return [.runExitChecks(phase)]
        case .stepFailed(let reason):
            try require(status == .running && !stepDone, event, "no step is running in \(phase.rawValue)")
            status = .failed
            return [.stopFailed(reason)]
        case .checksPassed:
            try require(status == .running && stepDone, event, "no checks are running in \(phase.rawValue)")
            return advance()
        case .checksBlocked(let reason):
            try require(status == .running, event, "nothing is running in \(phase.rawValue)")
            status = .waiting
            return [.stopBlocked(reason)]
        case .approved(let gate): return try approve(gate)
        case .abort: return try abort()
        case .restoreClientIndex: return try restore()
        }
    }

    private mutating func begin() throws(IllegalTransition) -> [Action] {
        switch status {
        case .running: throw illegal(.begin, "the run is already running")
        case .succeeded: throw illegal(.begin, "the migration is complete: nothing to do")
        case .aborted: throw illegal(.begin, "the run was aborted; start a new run with a new journal")
        case .steady: return [.holdSteady]
        case .waiting, .failed:
            status = .running
            return proceed()
        }
    }

    /// What to do in the current phase, given whether its step ran and its gate is approved.
    private mutating func proceed() -> [Action] {
        if stepDone { return [.runExitChecks(phase)] }
        if phase == .planned {
            stepDone = true
            return [.runExitChecks(.planned)]
        }
        if let gate = phase.gate, requiredGates.contains(gate) {
            status = .waiting
            return [.waitForApproval(gate)]
        }
        return [.runStep(phase)]
    }

    private mutating func advance() -> [Action] {
        guard let next = phase.next(in: mode) else {
            status = .steady
            return [.holdSteady]
        }
        phase = next
        stepDone = false
        if next == .complete {
            stepDone = true
            status = .succeeded
            return [.enterPhase(.complete), .finish]
        }
        return [.enterPhase(next)] + proceed()
    }

    /// Why `gate` cannot be approved now, in the words of where the run stands.
    static func notWaitingReason(_ gate: Gate, phase: MigrationPhase, status: RunStatus, stepDone: Bool) -> String {
        guard phase == gate.phase else { return "gate \(gate.rawValue) not reached: the run is in \(phase.rawValue) (\(status.rawValue))" }
        if stepDone { return "gate \(gate.rawValue) is already passed: its step is done" }
        switch status {
        case .running: return "gate \(gate.rawValue) was approved already: its step is running now"
        case .failed: return "gate \(gate.rawValue) was approved already: its step failed and is resumable (enmigrate resume PLAN)"
        default: return "gate \(gate.rawValue) is not waiting: the run is \(status.rawValue)"
        }
    }

    private mutating func approve(_ gate: Gate) throws(IllegalTransition) -> [Action] {
        guard phase == gate.phase, status == .waiting, !stepDone else {
            throw illegal(.approved(gate), Self.notWaitingReason(gate, phase: phase, status: status, stepDone: stepDone))
        }
        status = .running
        return [.runStep(phase)]
    }

    private mutating func abort() throws(IllegalTransition) -> [Action] {
        try require(status != .aborted && status != .succeeded, .abort, "the run is already \(status.rawValue)")
        guard phase.isReversible || (phase == .keyRotation && !stepDone) else {
            throw illegal(
                .abort,
                "past the point of no return (\(phase.rawValue)): only `abort --restore-client-index` is possible"
                    + (phase == .decommission ? ", and not any more: decommission has started" : ""))
        }
        status = .aborted
        return [.stopAborted]
    }

    private mutating func restore() throws(IllegalTransition) -> [Action] {
        try require(status != .aborted && status != .succeeded, .restoreClientIndex, "the run is already \(status.rawValue)")
        let afterCutOver = (phase == .keyRotation && stepDone) || phase == .mirroring || phase == .appUpdate
        guard afterCutOver else {
            throw illegal(
                .restoreClientIndex,
                phase.isReversible || phase == .keyRotation
                    ? "the client index was never swapped: use `abort`"
                    : "decommission has started: the state's feeds cannot be restored")
        }
        status = .aborted
        return [.restoreClientIndex, .stopAborted]
    }

    private func require(_ condition: Bool, _ event: Event, _ reason: String) throws(IllegalTransition) {
        if !condition { throw illegal(event, reason) }
    }

    private func illegal(_ event: Event, _ reason: String) -> IllegalTransition {
        IllegalTransition(phase: phase, status: status, event: event, reason: reason)
    }
}
