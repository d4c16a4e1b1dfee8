import Foundation

/// One durable entry of the journal. Each record carries the state machine's position after it
/// (so a run is restored from the last record) and is hash-chained to the record before it.
public struct JournalRecord: Sendable, Equatable, Codable {
    /// What the record announces.
    public enum Kind: String, Sendable, Codable {
        case runStarted = "run-started"
        case phaseEntered = "phase-entered"
        case stepIntent = "step-intent"
        case stepDone = "step-done"
        case stepFailed = "step-failed"
        case checks
        case waiting
        case blocked
        case approval
        case abortRequested = "abort-requested"
        case aborted
        case restoreIntent = "restore-intent"
        case steady
        case finished
        case lockTakeover = "lock-takeover"
        /// An operator accepted the loss of what named state files hold (`accept-loss`).
        case lossAccepted = "loss-accepted"
        /// An operator put failed files back in the queue (`requeue`).
        case requeued
        /// An operator adopted a plan file whose changes are all safe (`adopt`): the run goes on
        /// with that plan's hash.
        case planAdopted = "plan-adopted"
        /// An operator broke the run lock (`unlock --force`); `from` names the holder.
        case lockBroken = "lock-broken"
    }

    /// Position in the journal, from 1.
    public let sequence: Int64
    /// When it was written.
    public let at: Date
    /// What it announces.
    public let kind: Kind
    /// Phase after the record.
    public let phase: MigrationPhase
    /// Status after the record.
    public let status: RunStatus
    /// Whether the phase's step is done after the record.
    public let stepDone: Bool
    /// Attempt number for step records, else 0.
    public let attempt: Int
    /// Kind-specific details as JSON text (check results, approval, failure reason, …).
    public let detail: String
    /// Fencing number of the lease the writer held (0 for writers that need no lock).
    public let fence: Int64
    /// Hash of the previous record ("" for the first).
    public let previousHash: String
    /// SHA-256 over the previous hash and this record's content.
    public let hash: String

    /// A record as a storage reads it back.
    public init(
        sequence: Int64, at: Date, kind: Kind, phase: MigrationPhase, status: RunStatus, stepDone: Bool, attempt: Int,
        detail: String, fence: Int64, previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.phase = phase
        self.status = status
        self.stepDone = stepDone
        self.attempt = attempt
        self.detail = detail
        self.fence = fence
        self.previousHash = previousHash
        self.hash = hash
    }
}

extension RunStateMachine {
    /// The machine as the journal's last record left it. A run interrupted while `running`
    /// (a crash or SIGKILL) restores as `failed`, so `begin` resumes it from the failed step.
    public static func restored(run: JournalRun, last: JournalRecord?) -> RunStateMachine {
        RunStateMachine(
            mode: run.mode, requiredGates: run.requiredGates, phase: last?.phase ?? .planned,
            status: last?.status == .running ? .failed : (last?.status ?? .waiting), stepDone: last?.stepDone ?? false)
    }

    /// The machine exactly at `last`, `running` kept: for a record that moves nothing (an
    /// adoption, a broken lock), so the record after it restores as the one before it did.
    public static func unmoved(run: JournalRun, last: JournalRecord) -> RunStateMachine {
        RunStateMachine(mode: run.mode, requiredGates: run.requiredGates, phase: last.phase, status: last.status, stepDone: last.stepDone)
    }
}
