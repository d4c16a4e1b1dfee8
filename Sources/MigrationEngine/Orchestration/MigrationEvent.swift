import Foundation

/// Progress of a run as one typed stream, rendered for people or as JSON lines.
public enum MigrationEvent: Sendable, Equatable {
    case lockTakenOver(from: String)
    case recovered(phase: MigrationPhase, worker: String, alreadyDone: Bool)
    case phaseEntered(MigrationPhase)
    case stepStarted(phase: MigrationPhase, worker: String, attempt: Int)
    case stepRetrying(phase: MigrationPhase, worker: String, attempt: Int, reason: String, waitMilliseconds: Int64)
    case stepSucceeded(phase: MigrationPhase, worker: String)
    case stepFailed(phase: MigrationPhase, worker: String, reason: String)
    /// A worker's progress through long work: `done` of `total` files, the keys they held
    /// when the worker counts them, and what that means.
    case progress(worker: String, done: Int, total: Int, keys: Int? = nil, detail: String)
    /// A file a worker could not use: failed for good (`permanent`) or left for a later pass.
    case fileProblem(worker: String, file: String, reason: String, permanent: Bool)
    /// What one pass of a worker did, in one line.
    case summary(worker: String, text: String)
    /// What a worker still has to do after its pass: `pending` files, the oldest of them
    /// waiting since `oldestSince` as this process saw it (nil when nothing waits). The import
    /// lag operators watch during mirroring.
    case backlog(worker: String, pending: Int, oldestSince: Date?)
    /// A file a worker used but that needs a person's eyes (it ends in the future, …).
    case fileWarning(worker: String, file: String, warning: String)
    case check(CheckResult)
    case waitingForApproval(Gate)
    case approvalUsed(Gate, by: String)
    case blocked(String)
    case steady
    case finished
    case aborted

    /// One line for people.
    public var text: String {
        switch self {
        case .lockTakenOver(let from): "took the run lock over from \(from) (its process is gone)"
        case let .recovered(phase, worker, done): "\(phase.rawValue): \(worker) was interrupted; " + (done ? "it had finished" : "running it again")
        case .phaseEntered(let phase): "→ \(phase.rawValue): \(phase.summary)"
        case let .stepStarted(phase, worker, attempt): "\(phase.rawValue): \(worker)" + (attempt > 1 ? " (attempt \(attempt))" : "")
        case let .stepRetrying(phase, worker, attempt, reason, wait):
            "\(phase.rawValue): \(worker) attempt \(attempt) failed: \(reason); retrying in \(wait) ms"
        case let .stepSucceeded(phase, worker): "\(phase.rawValue): \(worker) done"
        case let .stepFailed(phase, worker, reason): "\(phase.rawValue): \(worker) failed: \(reason)"
        case let .progress(worker, done, total, _, detail): "  \(worker): \(done)/\(total) files, \(detail)"
        case let .fileProblem(worker, file, reason, permanent):
            "  \(worker): \(permanent ? "quarantined" : "will retry") \(file): \(reason)"
        case let .summary(worker, text): "  \(worker): pass: \(text)"
        case let .backlog(worker, pending, since):
            "  \(worker): " + (pending == 0 ? "nothing waiting" : "\(pending) files waiting, the oldest since \(since.map(EventRecord.timestamp) ?? "now")")
        case let .fileWarning(worker, file, warning): "  \(worker): WARNING \(file): \(warning)"
        case .check(let result): "check \(result.name): \(result.outcome.rawValue)" + (result.reason.isEmpty ? "" : " — \(result.reason)")
        case .waitingForApproval(let gate): "waiting for approval: enmigrate approve PLAN --gate \(gate.rawValue) --by NAME"
        case let .approvalUsed(gate, by): "gate \(gate.rawValue) approved by \(by)"
        case .blocked(let reason): "blocked: \(reason)"
        case .steady: "steady: the national feed is mirrored; importer and mirror keep running"
        case .finished: "the migration is complete"
        case .aborted: "the run is aborted"
        }
    }
}
