/// The phases of a migration, in order. A read-only run ends in `mirroring`; a full run goes
/// on to `complete`.
public enum MigrationPhase: String, CaseIterable, Sendable, Codable {
    case planned
    case dualExport = "dual-export"
    case importing
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

    /// The phase after this one in `mode`, or nil at the end.
    public func next(in mode: Mode) -> MigrationPhase? {
        switch (self, mode) {
        case (.planned, _): .dualExport
        case (.dualExport, _): .importing
        case (.importing, _): .keyRotation
        case (.keyRotation, _): .mirroring
        case (.mirroring, .readOnly): nil
        case (.mirroring, .full): .appUpdate
        case (.appUpdate, _): .decommission
        case (.decommission, _): .complete
        case (.complete, _): nil
        }
    }

    /// The gate a person must approve before this phase's step runs.
    public var gate: Gate? {
        switch self {
        case .keyRotation: .keyRotation
        case .appUpdate: .appUpdate
        case .decommission: .decommission
        default: nil
        }
    }

    /// Whether `abort` still leaves the state side as it was. `key-rotation`'s step is the
    /// point of no return for the state's signing key; after it only restoring the client
    /// index is possible, until decommission, which is irreversible.
    public var isReversible: Bool {
        switch self {
        case .planned, .dualExport, .importing: true
        case .keyRotation, .mirroring, .appUpdate, .decommission, .complete: false
        }
    }

    /// What the phase's step does, for people.
    public var summary: String {
        switch self {
        case .planned: "nothing has run yet"
        case .dualExport: "publish the state's feed a second time for the national importer"
        case .importing: "import the second feed into the national key store"
        case .keyRotation: "cut-over: Apple/Google switch the app to the national key; the mirror index is swapped"
        case .mirroring: "serve the national feed at the state's CDN; importer and mirror keep running"
        case .appUpdate: "the state ships an app that talks to the national server"
        case .decommission: "final import sweep; the state's importer and feeds are turned down (irreversible)"
        case .complete: "the migration is complete"
        }
    }
}

/// A manual approval gate (`enmigrate approve PLAN --gate GATE`).
public enum Gate: String, CaseIterable, Sendable, Codable {
    case keyRotation = "key-rotation"
    case appUpdate = "app-update"
    case decommission

    /// The phase the gate guards.
    public var phase: MigrationPhase {
        switch self {
        case .keyRotation: .keyRotation
        case .appUpdate: .appUpdate
        case .decommission: .decommission
        }
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
