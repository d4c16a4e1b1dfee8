/// How workers run.
public struct WorkerSettings: Sendable, Encodable {
    /// Pause between steady-state worker runs (default 5m).
    public let interval: Duration
    /// Parallel downloads and uploads (default 4).
    public let concurrency: Int
    /// Retry policy for transient failures.
    public let retry: RetryPolicy
    /// Longest one step attempt may take (default 10m).
    public let stepTimeout: Duration
    /// How often a steady pass reads and verifies every staged file again, not only those
    /// whose content version changed (default 24h). Nil when the plan does not say, so plans
    /// without it keep their hash.
    public var fullVerification: Duration?

    /// ``fullVerification`` or its default, a day.
    public var fullVerificationEvery: Duration { fullVerification ?? .seconds(86_400) }
}

/// Retry with exponential backoff: `backoff`, doubled each attempt, at most `maxBackoff`.
public struct RetryPolicy: Sendable, Encodable {
    /// Attempts in all, the first included (default 5).
    public let attempts: Int
    /// Wait before the second attempt (default 1s).
    public let backoff: Duration
    /// Longest wait between attempts (default 60s).
    public let maxBackoff: Duration
}

/// Manual approval gates.
public struct Gates: Sendable, Encodable {
    /// Before Apple/Google switch the app's key (always required).
    public let keyRotation: Gate
    /// Before the app update phase (full plans).
    public let appUpdate: Gate
    /// Before decommission (full plans; irreversible).
    public let decommission: Gate
}

/// One gate: whether an approval is needed and how long it stays valid.
public struct Gate: Sendable, Encodable {
    /// Whether a person must approve.
    public let approvalRequired: Bool
    /// How long an approval stays valid (default 72h).
    public let expiresAfter: Duration
}

/// Decommission settings.
public struct DecommissionSettings: Sendable, Encodable {
    /// How long to wait with no new keys before turning the state's feeds down (default 72h).
    public let quietPeriod: Duration
}
