import Foundation

/// What `plan` (the dry run) found: the phase a run would reach, each check's result, what each
/// worker would do, and whether anything would change.
public struct DryRunReport: Sendable, Encodable {
    public struct PlannedWork: Sendable, Encodable {
        public let phase: String
        public let worker: String
        public let work: String
    }

    /// The plan hash the run is (or would be) bound to.
    public var planHash = ""
    public var startPhase: String
    public var wouldReach: String
    public var transitions: [String] = []
    public var work: [PlannedWork] = []
    public var checks: [CheckResult] = []
    public var waitsAt: String?
    public var blockedBy: String?
    public var changesPending: Bool { !transitions.isEmpty || !work.isEmpty }
}

extension Orchestrator {
    /// The dry run: the apply path with side effects switched off. Checks run for real; a
    /// check guarding a step that would first have to run is reported `pending`. `journal`
    /// is nil when none exists yet (nothing is created).
    public static func dryRun(
        journal: Journal?, registry: WorkerRegistry, definition: RunDefinition,
        now: Date = Date()
    ) async throws -> DryRunReport {
        var machine = RunStateMachine(mode: definition.mode, requiredGates: definition.requiredGates)
        var approvals: [Approval] = []
        var hashes: Set<String> = [definition.planHash]
        if let journal, let run = try journal.run() {
            let records = try journal.records()
            let chain = Journal.planHashes(of: run, in: records)
            guard chain.last == definition.planHash else {
                throw JournalError.planChanged(started: chain.last ?? run.planHash, now: definition.planHash)
            }
            hashes = Set(chain)
            machine = .restored(run: run, last: records.last)
            approvals = records.filter { $0.kind == .approval }.compactMap(Orchestrator.approval)
        }
        var report = DryRunReport(startPhase: machine.phase.rawValue, wouldReach: machine.phase.rawValue)
        report.planHash = definition.planHash
        var simulatedStep = false
        var pending = (try? machine.handle(.begin)) ?? []
        while !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .runStep(let phase):
                let workers = registry.steps[phase] ?? []
                for worker in workers {
                    report.work.append(.init(phase: phase.rawValue, worker: worker.name, work: try await worker.describePlannedWork()))
                }
                simulatedStep = simulatedStep || !workers.isEmpty
                pending = try machine.handle(.stepSucceeded)
            case .runExitChecks(let phase):
                var results: [CheckResult] = []
                for check in registry.exitChecks[phase] ?? [] {
                    let result = await check.evaluate()
                    results.append(
                        simulatedStep && result.outcome == .failed
                            ? CheckResult(name: result.name, outcome: .pending, reason: "depends on work not yet done: \(result.reason)")
                            : result)
                }
                report.checks += results
                if let failed = results.first(where: { $0.outcome == .failed }) {
                    report.blockedBy = "\(failed.name): \(failed.reason)"
                    return report
                }
                // A check that waits for work this dry run would do first does not stop the
                // walk: it is shown pending, and the phases after it are what the run would try.
                if results.contains(where: { $0.outcome == .pending }), !simulatedStep { return report }
                pending = try machine.handle(.checksPassed)
            case .waitForApproval(let gate):
                let valid = approvals.last { $0.gate == gate && hashes.contains($0.planHash) && $0.expires > now }
                guard valid != nil else {
                    report.waitsAt = gate.rawValue
                    return report
                }
                pending = try machine.handle(.approved(gate))
            case .enterPhase(let phase):
                report.transitions.append(phase.rawValue)
                report.wouldReach = phase.rawValue
            default:
                return report
            }
        }
        return report
    }
}
