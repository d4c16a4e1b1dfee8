/// Where `apply` stopped, which decides the exit code.
public enum RunOutcome: Sendable, Equatable {
    /// Read-only end state reached (exit 0).
    case steady
    /// Full migration complete (exit 0).
    case complete
    /// Stopped on reaching the phase given to `--until` (exit 0).
    case reached(MigrationPhase)
    /// Waiting at a gate (exit 4).
    case waitingForApproval(Gate)
    /// A check blocks (exit 3).
    case blocked(String)
    /// A step failed; resumable (exit 1).
    case failed(String)
    /// Aborted (exit 0).
    case aborted
    /// The abort is recorded while another process holds the run: that process stops at its
    /// next step boundary (exit 0; `status` shows when it has).
    case abortPending(holder: String)
}

extension RunOutcome {
    /// The outcome's name in JSON (``EventRecord/outcome``).
    public var name: String {
        switch self {
        case .steady: "steady"
        case .complete: "complete"
        case .reached: "reached"
        case .waitingForApproval: "waiting-for-approval"
        case .blocked: "blocked"
        case .failed: "failed"
        case .aborted: "aborted"
        case .abortPending: "abort-pending"
        }
    }
}
