import Foundation

/// What the engine needs from a plan, in its own terms, so it does not depend on the plan module.
public struct RunDefinition: Sendable {
    public var planHash: String
    public var mode: MigrationPhase.Mode
    public var requiredGates: Set<Gate>
    public var attempts: Int
    public var backoff: Duration
    public var maxBackoff: Duration
    public var stepTimeout: Duration
    public var gateExpiry: [Gate: Duration]
    public var leaseDuration: Duration
    /// The plan's canonical form, kept in the journal (document `plan`) when a run starts, so
    /// a changed plan can later be shown field by field.
    public var planDocument: String?

    public init(
        planHash: String, mode: MigrationPhase.Mode, requiredGates: Set<Gate> = Set(Gate.allCases),
        attempts: Int = 5, backoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60),
        stepTimeout: Duration = .seconds(600), gateExpiry: [Gate: Duration] = [:], leaseDuration: Duration = .seconds(15)
    ) {
        self.planHash = planHash
        self.mode = mode
        self.requiredGates = requiredGates
        self.attempts = attempts
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.stepTimeout = stepTimeout
        self.gateExpiry = gateExpiry
        self.leaseDuration = leaseDuration
    }

    /// The wait before attempt `attempt + 1`: `backoff` doubled each time, at most `maxBackoff`.
    public func wait(afterAttempt attempt: Int) -> Duration {
        var wait = backoff
        for _ in 1..<max(attempt, 1) where wait < maxBackoff { wait *= 2 }
        return min(wait, maxBackoff)
    }
}

/// Time, sleeping and process identity, injected so tests control them.
public struct EngineEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void
    public var owner: LockOwner
    public var isAlive: @Sendable (Int32) -> Bool
    /// The lease as held now, shared with the workers (``HeldLease``).
    public var heldLease: HeldLease

    public init(
        now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        owner: LockOwner = .current, isAlive: @escaping @Sendable (Int32) -> Bool = LockOwner.isAlive,
        heldLease: HeldLease = HeldLease()
    ) {
        self.now = now
        self.sleep = sleep
        self.owner = owner
        self.isAlive = isAlive
        self.heldLease = heldLease
    }
}
