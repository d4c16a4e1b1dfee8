import Foundation

/// Drives one run through its phases: takes the run lock, restores the state machine from the
/// journal, resolves an interrupted step by asking its worker, then performs the machine's
/// actions, writing each intent before the work it announces.
public struct Orchestrator: Sendable {
    public let journal: Journal
    public let registry: WorkerRegistry
    public let definition: RunDefinition
    public let environment: EngineEnvironment
    public let events: @Sendable (MigrationEvent) -> Void
    /// Whether a pass that finds the run waiting at a gate first runs the previous phase's
    /// recurring work. A waiting `apply` polls for the approval every second but catches up
    /// only once per `workers.interval`, so a wait of days is not a pass of every worker (and a
    /// dozen lines) each second.
    public var catchUpAtGate = true

    public init(
        journal: Journal, registry: WorkerRegistry, definition: RunDefinition,
        environment: EngineEnvironment = EngineEnvironment(), events: @escaping @Sendable (MigrationEvent) -> Void = { _ in }
    ) {
        self.journal = journal
        self.registry = registry
        self.definition = definition
        self.environment = environment
        self.events = events
    }

    /// Advances as far as the checks and gates allow (or until `until` is reached). With
    /// `keepLease` the run lock stays held afterwards (a waiting `apply` renews it by calling
    /// again, and releases it with `Journal.releaseLease(ownedBy:)`).
    public func apply(until: MigrationPhase? = nil, keepLease: Bool = false) async throws -> RunOutcome {
        try refuseBrokenJournal()
        let (fence, tookOver) = try journal.acquireLease(
            owner: environment.owner, now: environment.now(),
            ttl: definition.leaseDuration, isAlive: environment.isAlive)
        environment.heldLease.hold(journal, fence: fence, ttl: definition.leaseDuration)
        defer {
            if !keepLease {
                environment.heldLease.release()
                try? journal.releaseLease(fence: fence)
            }
        }
        var machine = try restoreMachine(fence: fence)
        if let tookOver {
            try journal.append(.lockTakeover, machine: machine, detail: ["from": "\(tookOver)"], fence: fence, at: environment.now())
            events(.lockTakenOver(from: "\(tookOver)"))
        }
        if try abortRequested() {
            return try perform(try machine.handle(.abort), machine: &machine, fence: fence, until: until)
        }
        if machine.status == .steady {
            // The steady state is not idle: the mirroring phase's workers keep running.
            // A pass that fails (the mirror found its client index rewritten, a feed is down)
            // blocks with the reason; the run stays steady and the next apply tries again.
            for worker in registry.recurringWork(of: .mirroring) {
                do {
                    try await worker.steadyPass()
                } catch let error as JournalError {
                    throw error
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    let reason = "\(worker.name): \(error)"
                    events(.blocked(reason))
                    return .blocked(reason)
                }
            }
            // One line per steady pass, so a log shows the run alive for the months it lasts.
            events(.steady)
            return .steady
        }
        // A complete run has nothing to do (also when a crash came between entering
        // `complete` and the finished record).
        if machine.status == .succeeded { return .complete }
        let actions = try machine.handle(.begin)
        let started = machine
        return try await withLeaseRenewal(fence: fence) {
            var machine = started
            return try await self.run(actions, machine: &machine, fence: fence, until: until)
        }
    }

    /// Runs `body` while a child task renews the lease every third of its duration, so a long
    /// step keeps the run lock; a renewal that finds the lease taken over ends the run (fenced).
    private func withLeaseRenewal(fence: Int64, _ body: @escaping @Sendable () async throws -> RunOutcome) async throws -> RunOutcome {
        let every = definition.leaseDuration / 3
        return try await withThrowingTaskGroup(of: RunOutcome?.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: every)
                    try journal.renewLease(fence: fence, now: environment.now(), ttl: definition.leaseDuration)
                }
            }
            group.addTask { try await body() }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let outcome = result { return outcome }
            }
            return .failed("the run stopped without an outcome")
        }
    }

    /// The machine as the journal last left it; a new run is started when there is none.
    /// A run interrupted while `running` resumes like a failed one.
    func restoreMachine(fence: Int64) throws -> RunStateMachine {
        guard let run = try journal.run() else {
            let machine = RunStateMachine(mode: definition.mode, requiredGates: definition.requiredGates)
            try journal.startRun(planHash: definition.planHash, machine: machine, fence: fence, at: environment.now())
            if let plan = definition.planDocument { try journal.saveDocument("plan", Data(plan.utf8), fence: fence, at: environment.now()) }
            return machine
        }
        let current = try journal.currentPlanHash(of: run)
        guard current == definition.planHash else {
            throw JournalError.planChanged(started: current, now: definition.planHash)
        }
        return .restored(run: run, last: try journal.lastRecord())
    }

    private func run(
        _ initial: [RunStateMachine.Action], machine: inout RunStateMachine, fence: Int64,
        until: MigrationPhase?
    ) async throws -> RunOutcome {
        var pending = initial
        var stepsRun = Set<MigrationPhase>()
        var checksRun = Set<MigrationPhase>()
        while !pending.isEmpty {
            try Task.checkCancellation()
            let action = pending.removeFirst()
            switch action {
            case .runStep(let phase):
                stepsRun.insert(phase)
                if let failure = try await runStep(phase, machine: machine, fence: fence) {
                    pending = try machine.handle(.stepFailed(reason: failure))
                    try journal.append(.stepFailed, machine: machine, detail: ["reason": failure], fence: fence, at: environment.now())
                } else {
                    pending = try machine.handle(.stepSucceeded)
                }
            case .runExitChecks(let phase):
                // A phase whose step finished in an earlier apply (its checks blocked) catches up
                // first: new second-feed files are imported before import lag is judged again.
                if !stepsRun.contains(phase), let failure = await catchUp(phase) {
                    pending = try machine.handle(.checksBlocked(reason: failure))
                    try journal.append(.checks, machine: machine, detail: ["reason": failure], fence: fence, at: environment.now())
                    continue
                }
                checksRun.insert(phase)
                let results = await evaluateChecks(phase)
                let failing = results.filter { $0.outcome != .passed }
                if failing.isEmpty {
                    pending = try machine.handle(.checksPassed)
                } else {
                    pending = try machine.handle(.checksBlocked(reason: failing.map { "\($0.name): \($0.reason)" }.joined(separator: "; ")))
                }
                try journal.append(.checks, machine: machine, values: CheckRecord.detail(results), fence: fence, at: environment.now())
            case .waitForApproval(let gate):
                if let approval = try validApproval(for: gate) {
                    pending = try machine.handle(.approved(gate))
                    events(.approvalUsed(gate, by: approval.by))
                } else {
                    // Waiting for people is not idle: the previous phase's recurring work (new
                    // state files imported, the mirror kept staged) goes on until the approval.
                    // Not in the pass whose checks just let the run reach the gate: its step or
                    // catch-up ran moments ago (a second round was 1.6 s of a 16 s pipeline
                    // at a million keys); the next pass at the gate does it.
                    if catchUpAtGate, let previous = MigrationPhase.allCases.last(where: { $0.next(in: definition.mode) == gate.phase }),
                        !checksRun.contains(previous), let failure = await catchUp(previous)
                    {
                        events(.check(CheckResult(name: "while waiting", outcome: .failed, reason: failure)))
                    }
                    // One record per wait, not one per pass (an apply polls every second for days).
                    if try journal.lastRecord()?.kind != .waiting {
                        try journal.append(.waiting, machine: machine, detail: ["gate": gate.rawValue], fence: fence, at: environment.now())
                    } else {
                        try journal.renewLease(fence: fence, now: environment.now(), ttl: definition.leaseDuration)
                    }
                    events(.waitingForApproval(gate))
                    return .waitingForApproval(gate)
                }
            case .enterPhase(let phase):
                try journal.append(.phaseEntered, machine: machine, fence: fence, at: environment.now())
                events(.phaseEntered(phase))
                if phase == until, phase != .complete { return .reached(phase) }
            default:
                return try perform([action] + pending, machine: &machine, fence: fence, until: until)
            }
            if try abortRequested() {
                pending = try machine.handle(.abort)
            }
        }
        return .failed("the run stopped without an outcome")
    }

    /// Journals the terminal actions and returns the outcome they mean.
    private func perform(
        _ actions: [RunStateMachine.Action], machine: inout RunStateMachine, fence: Int64,
        until: MigrationPhase?
    ) throws -> RunOutcome {
        for action in actions {
            switch action {
            case .holdSteady:
                try journal.append(.steady, machine: machine, fence: fence, at: environment.now())
                events(.steady)
                return .steady
            case .finish:
                try journal.append(.finished, machine: machine, fence: fence, at: environment.now())
                events(.finished)
                return .complete
            case .stopBlocked(let reason):
                try journal.append(.blocked, machine: machine, detail: ["reason": reason], fence: fence, at: environment.now())
                events(.blocked(reason))
                return .blocked(reason)
            case .stopFailed(let reason):
                return .failed(reason)
            case .stopAborted:
                try journal.append(.aborted, machine: machine, fence: fence, at: environment.now())
                events(.aborted)
                return .aborted
            case .enterPhase(let phase):
                try journal.append(.phaseEntered, machine: machine, fence: fence, at: environment.now())
                events(.phaseEntered(phase))
            case .restoreClientIndex, .runStep, .runExitChecks, .waitForApproval:
                continue
            }
        }
        return .failed("the run stopped without an outcome")
    }

    /// Runs `steadyPass()` of the phase's recurring work; returns why it failed, or nil.
    private func catchUp(_ phase: MigrationPhase) async -> String? {
        for worker in registry.recurringWork(of: phase) {
            do {
                try await worker.steadyPass()
            } catch {
                return "\(worker.name): catching up failed: \(error)"
            }
        }
        return nil
    }

    private func evaluateChecks(_ phase: MigrationPhase) async -> [CheckResult] {
        var results: [CheckResult] = []
        for check in registry.exitChecks[phase] ?? [] {
            let result = await check.evaluate()
            events(.check(result))
            results.append(result)
        }
        return results
    }

    /// A journal whose hash chain does not verify is never acted on: every state-changing verb
    /// stops with ``JournalError/tampered(sequence:)`` (exit 7) until it is repaired.
    func refuseBrokenJournal() throws {
        if let broken = try journal.firstBrokenRecord() { throw JournalError.tampered(sequence: broken) }
    }

    /// Whether an abort was requested and not yet carried out. Not only the last record: an
    /// approval, an accepted loss or a waiting pass written after the request must not bury it.
    func abortRequested() throws -> Bool {
        try journal.records().last(where: { $0.kind == .abortRequested || $0.kind == .aborted })?.kind == .abortRequested
    }
}
