/// The phases of a migration, in order. A read-only run ends in `mirroring`; a full run goes
/// on to `complete`. What each phase does is declared once, in ``definitions``.
public enum MigrationPhase: String, CaseIterable, Sendable, Codable {
    case planned
    case dualExport = "dual-export"
    case importing
    case preparingCutOver = "preparing-cut-over"
    case keyRotation = "key-rotation"
    case mirroring
    case appUpdate = "app-update"
    case decommission
    case complete

    /// How far a migration goes.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Ends in `mirroring` (steady state).
        case readOnly = "read-only"
        /// Goes on through `app-update` and `decommission` to `complete`.
        case full
    }

    /// The phase after this one in `mode`, or nil at the end: the next entry of ``definitions``
    /// that `mode` passes through.
    public func next(in mode: Mode) -> MigrationPhase? {
        guard let position = Self.definitions.firstIndex(where: { $0.phase == self }) else { return nil }
        return Self.definitions[(position + 1)...].first { $0.modes.contains(mode) }?.phase
    }

    /// The gate a person must approve before this phase's step runs.
    public var gate: Gate? { definition.gate }

    /// Whether `abort` still leaves the state side as it was. `key-rotation`'s step is the
    /// point of no return for the state's signing key; after it only restoring the client
    /// index is possible, until decommission, which is irreversible.
    public var isReversible: Bool { definition.isReversible }

    /// What the phase's step does, for people.
    public var summary: String { definition.summary }
}

/// A manual approval gate (`enmigrate approve PLAN --gate GATE`).
public enum Gate: String, CaseIterable, Sendable, Codable {
    case keyRotation = "key-rotation"
    case appUpdate = "app-update"
    case decommission

    /// The phase the gate guards (from ``MigrationPhase/definitions``).
    public var phase: MigrationPhase {
        MigrationPhase.definitions.first { $0.gate == self }?.phase ?? .keyRotation
    }
}

/// Run status, separate from the phase.
public enum RunStatus: String, CaseIterable, Sendable, Codable {
    /// A step or check is in progress.
    case running
    /// Waiting for an approval, or for a precondition to become true.
    case waiting
    /// Read-only end state: workers keep running at the plan's interval.
    case steady
    /// A step failed; the run resumes from it.
    case failed
    /// A full run is complete.
    case succeeded
    /// Stopped by `abort`.
    case aborted
}
