import Foundation

/// What `status` shows, read from the journal alone (no lock needed).
public struct RunStatusReport: Sendable, Encodable {
    /// One phase in the timeline.
    public struct PhaseSpan: Sendable, Encodable {
        public let phase: String
        public let enteredAt: Date
        public let leftAt: Date?
    }

    /// The gate the run waits at, or the last approval.
    public struct ApprovalState: Sendable, Encodable {
        public let gate: String
        public let pending: Bool
        public let by: String?
        public let note: String?
        public let expiresAt: Date?
    }

    /// Keys of one imported file the importer refused by rule, per reason (from the key store).
    public struct RefusedKeysInFile: Sendable, Encodable {
        /// One rule: stable code, reason and count.
        public struct Reason: Sendable, Encodable {
            public let code: String
            public let reason: String
            public let count: Int

            public init(code: String, reason: String, count: Int) {
                self.code = code
                self.reason = reason
                self.count = count
            }
        }

        /// The second-feed index entry.
        public let file: String
        /// The state client index entry the keys came from (what `accept-loss` names), when known.
        public let stateFile: String?
        public let total: Int
        public let reasons: [Reason]
        /// Who accepted the loss, when it is accepted on the record.
        public let lossAcceptedBy: String?
        /// The command that records the loss as decided, while keys phones use are refused and
        /// the loss is not accepted yet.
        public let acceptLoss: String?

        public init(file: String, stateFile: String?, reasons: [Reason], lossAcceptedBy: String?, acceptLoss: String?) {
            self.file = file
            self.stateFile = stateFile
            self.total = reasons.reduce(0) { $0 + $1.count }
            self.reasons = reasons
            self.lossAcceptedBy = lossAcceptedBy
            self.acceptLoss = acceptLoss
        }
    }

    /// A plan taken up mid-run (`enmigrate adopt`).
    public struct Adoption: Sendable, Encodable {
        public let at: Date
        public let by: String?
        public let note: String?
        /// The plan hash the run ran on before.
        public let from: String
        public let planHash: String
        /// What changed, one line a field.
        public let changes: [String]
    }

    public let phase: String
    public let status: String
    /// The plan the run runs on now: the one it started with, or the last adopted.
    public let planHash: String
    /// Plans adopted since the run started, oldest first.
    public var adoptions: [Adoption] = []
    public let startedAt: Date
    /// Who started the run (`apply --by`, else `user@host`; nil for runs started before it was kept).
    public var startedBy: String?
    /// Who wrote the newest record that names its operator, and why when they said.
    public var lastBy: String?
    public let timeline: [PhaseSpan]
    public var checks: [CheckResult]
    /// The contract's name and version (`schemas/status.schema.json`).
    public var schema = "enmigrate.status/1"
    /// Files a worker failed for good, quarantined or waits to retry (filled in from the stores).
    public var failedFiles: [FileNeedingAttention]
    /// How far each worker's work is (filled in from the stores by the caller).
    public var workers: [WorkerProgress] = []
    /// Keys the importer refused by rule, per file and reason (filled in from the stores).
    public var refusedKeys: [RefusedKeysInFile] = []
    /// Files imported with a warning, `file: warning` (filled in from the stores).
    public var warnings: [String] = []
    public let approval: ApprovalState?
    /// Milliseconds from the `key-rotation` approval to the client index swap.
    public let cutoverLatencyMs: Int64?
    /// The key-rotation request bundle's folder, once written (filled in by the caller).
    public var rotationRequest: String?
    public let lastError: String?
    public let next: [String]
    public let journalIntact: Bool?
    /// Who holds the run lock now, if anyone.
    public let lock: String?
    /// When the holder's lease runs out unless renewed (nil: nobody holds it).
    public var leaseExpiresAt: Date?
    /// Since when the run has been waiting (at a gate), when it is.
    public var waitingSince: Date?

    /// Builds the report from `journal`; `verifyChain` also walks the hash chain. `records`:
    /// the journal's records when the caller has read them already (they are read otherwise).
    public static func read(_ journal: Journal, plan: String, verifyChain: Bool, records: [JournalRecord]? = nil) throws -> RunStatusReport? {
        guard let run = try journal.run() else { return nil }
        let records = try records ?? journal.records()
        guard let last = records.last else { return nil }
        var timeline: [PhaseSpan] = []
        for record in records where record.kind == .phaseEntered {
            if let open = timeline.popLast() {
                timeline.append(PhaseSpan(phase: open.phase, enteredAt: open.enteredAt, leftAt: record.at))
            }
            timeline.append(PhaseSpan(phase: record.phase.rawValue, enteredAt: record.at, leftAt: nil))
        }
        let checks = records.last { $0.kind == .checks }.map { CheckRecord.results($0.detail) } ?? []
        // Only an error nothing has got past since: a step done, a phase entered or a steady or
        // finished run after it makes an older failure history, not the run's last error.
        let settled: Set<JournalRecord.Kind> = [.stepFailed, .blocked, .stepDone, .phaseEntered, .steady, .finished]
        let lastError = records.last { settled.contains($0.kind) }
            .flatMap { $0.kind == .stepFailed || $0.kind == .blocked ? CheckRecord.value($0.detail, "reason") : nil }
        let machine = RunStateMachine.restored(run: run, last: last)
        let holder = try journal.holder(at: Date())
        var report = RunStatusReport(
            phase: last.phase.rawValue, status: last.status.rawValue,
            planHash: Journal.planHashes(of: run, in: records).last ?? run.planHash, startedAt: run.startedAt,
            timeline: timeline, checks: checks, failedFiles: [], approval: approval(records, machine: machine),
            cutoverLatencyMs: cutOverLatency(records), lastError: last.status == .failed || last.status == .waiting ? lastError : nil,
            next: nextCommands(machine, plan: plan), journalIntact: verifyChain ? try journal.firstBrokenRecord() == nil : nil,
            lock: holder.map(Self.lockLine), leaseExpiresAt: holder?.expires,
            waitingSince: last.status == .waiting ? records.reversed().prefix { $0.status == .waiting }.last?.at : nil)
        report.adoptions = records.filter { $0.kind == .planAdopted }.map {
            Adoption(
                at: $0.at, by: CheckRecord.value($0.detail, "by"), note: CheckRecord.value($0.detail, "note"),
                from: CheckRecord.value($0.detail, "from") ?? "", planHash: CheckRecord.value($0.detail, "planHash") ?? "",
                changes: (CheckRecord.value($0.detail, "changes") ?? "").split(separator: "\n").map(String.init))
        }
        report.startedBy = records.first.flatMap { CheckRecord.value($0.detail, "by") }
        report.lastBy = records.last { CheckRecord.value($0.detail, "by") != nil }.map(Self.attribution)
        return report
    }

    /// `by`, and ` (note)` when the record says why.
    static func attribution(_ record: JournalRecord) -> String {
        let by = CheckRecord.value(record.detail, "by") ?? ""
        return CheckRecord.value(record.detail, "note").map { "\(by) (\($0))" } ?? by
    }

    /// Who holds the lock, and whether that process is gone (on this host a dead pid can be
    /// told; the next `apply` then takes the run over at once).
    static func lockLine(_ holder: LockHolder) -> String {
        let owner = LockOwner(user: holder.user, host: holder.host, pid: holder.pid)
        guard owner.isGone(onHost: LockOwner.current.host) else { return holder.description }
        return "\(holder.description) — GONE: no process \(holder.pid) runs on this host; the next apply takes the run over"
    }

    /// From the approval of `key-rotation` to the swap the cut-over step recorded (`swappedAt`,
    /// seconds since 1970, in its done record).
    static func cutOverLatency(_ records: [JournalRecord]) -> Int64? {
        guard let swap = records.last(where: { $0.kind == .stepDone && $0.phase == .keyRotation && CheckRecord.value($0.detail, "swappedAt") != nil }),
            let swappedAt = CheckRecord.value(swap.detail, "swappedAt").flatMap(Double.init),
            let approval = records.last(where: { $0.kind == .approval && CheckRecord.value($0.detail, "gate") == Gate.keyRotation.rawValue })
        else { return nil }
        return Int64(((swappedAt - approval.at.timeIntervalSince1970) * 1000).rounded())
    }

    private static func approval(_ records: [JournalRecord], machine: RunStateMachine) -> ApprovalState? {
        if machine.status == .waiting, !machine.stepDone, let gate = machine.phase.gate, machine.requiredGates.contains(gate) {
            let recorded = records.last { $0.kind == .approval }.flatMap(Orchestrator.approval)
            if let recorded, recorded.gate == gate {
                return ApprovalState(gate: gate.rawValue, pending: false, by: recorded.by, note: recorded.note, expiresAt: recorded.expires)
            }
            return ApprovalState(gate: gate.rawValue, pending: true, by: nil, note: nil, expiresAt: nil)
        }
        return records.last { $0.kind == .approval }.flatMap(Orchestrator.approval).map {
            ApprovalState(gate: $0.gate.rawValue, pending: false, by: $0.by, note: $0.note, expiresAt: $0.expires)
        }
    }

    /// The commands the state machine would accept now.
    private static func nextCommands(_ machine: RunStateMachine, plan: String) -> [String] {
        var commands: [String] = []
        var probe = machine
        if (try? probe.handle(.begin)) != nil {
            commands.append(machine.status == .failed ? "enmigrate resume \(plan)" : "enmigrate apply \(plan)")
        }
        for gate in Gate.allCases {
            probe = machine
            if (try? probe.handle(.approved(gate))) != nil {
                commands.append("enmigrate approve \(plan) --gate \(gate.rawValue) --by NAME --note TEXT")
            }
        }
        probe = machine
        if (try? probe.handle(.abort)) != nil { commands.append("enmigrate abort \(plan)") }
        probe = machine
        if (try? probe.handle(.restoreClientIndex)) != nil { commands.append("enmigrate abort \(plan) --restore-client-index") }
        return commands
    }
}
