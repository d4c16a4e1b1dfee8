/// A kind of work the engine schedules in a phase. The composition root supplies the real
/// workers of each role from the plan (none when the plan has no such work: no dual-export when
/// the state signs its second feed itself).
public enum WorkerRole: String, CaseIterable, Sendable, Codable {
    /// The second feed, before the cut-over: re-signed from the client feed, or written from the state's key store.
    case dualExport = "dual-export"
    /// The second feed after the cut-over, from where the state's exports now go (`state.clientFeed.origin`).
    case dualExportAfterCutOver = "dual-export-after-cut-over"
    /// The second feed imported into the national key store.
    case importer = "export-importer"
    /// The national feed written from the national key store.
    case nationalExport = "national-export"
    /// The national feed copied and verified on the state's CDN, the next client index prepared, nothing published.
    case mirrorStage = "mirror-stage"
    /// Both feeds read as phones read them and their keys compared; proved again while either changes.
    case coverageProof = "coverage-proof"
    /// The request the state sends Apple/Google to switch the app to the national key.
    case rotationRequest = "rotation-request"
    /// The client index swapped to the national feed, after a last catch-up and proof.
    case cutOver = "cut-over"
    /// The national feed mirrored at the state's CDN, the client index kept current.
    case mirror
    /// What phones download, read over the client feed's public URL.
    case phoneWatch = "phone-watch"
    /// The final sweep, the report and the archive; the state's feeds are turned down.
    case decommission
}

/// A kind of precondition the engine checks before a run leaves a phase; supplied like ``WorkerRole``.
public enum CheckRole: String, CaseIterable, Sendable, Codable {
    /// The second feed verifies with a key the importer trusts.
    case secondFeedVerifies = "second-feed-verifies"
    /// The national key store answers.
    case keyStoreReachable = "key-store-reachable"
    /// A reference server's table is one its own publish query reads (only for such a store).
    case referenceServerPublishes = "reference-server-publishes"
    /// Every second-feed file of the period is imported.
    case importComplete = "import-complete"
    /// No part of the pipeline still owes a file: re-signed, exported, staged.
    case pipelineDrained = "pipeline-drained"
    /// Every key phones can read in the state's feed is in the staged national feed.
    case coverage
    /// After the swap, the client index serves every key the state's feed did.
    case coverageAfterCutOver = "coverage-after-cut-over"
    /// No new uploads for the decommission's quiet period (a full run whose app-update gate needs no approval).
    case uploadsQuiet = "uploads-quiet"
}

/// One phase as data: what it is for, the gate before its step, whether `abort` still undoes it,
/// which modes pass through it, the workers of its step, the recurring work it keeps doing, and
/// the checks that guard leaving it. ``MigrationPhase/definitions`` is the only place the phases
/// and their work are declared; the state machine, the orchestrator, the dry run, `status` and
/// the docs read it.
public struct PhaseDefinition: Sendable, Equatable {
    public let phase: MigrationPhase
    /// What the phase's step does, for people.
    public let summary: String
    /// The approval a person gives before the step runs (nil: it runs at once).
    public let gate: Gate?
    /// Whether `abort` still leaves the state side as it was.
    public let isReversible: Bool
    /// The modes whose runs pass through the phase.
    public let modes: Set<MigrationPhase.Mode>
    /// The step: these workers' `apply()`, in order, once per phase.
    public let step: [WorkerRole]
    /// The work that goes on once the step is done: their `steadyPass()` runs before the exit
    /// checks are judged again in a later `apply`, while the next phase's gate waits, and (for
    /// `mirroring`) on every pass of the steady state.
    public let recurring: [WorkerRole]
    /// The checks that must all pass before the run leaves the phase.
    public let exitChecks: [CheckRole]
}

extension MigrationPhase {
    /// Every phase in order, with its work. A phase added here is a new journal value: older
    /// enmigrate versions cannot read a journal that entered it.
    public static let definitions: [PhaseDefinition] = [
        PhaseDefinition(
            phase: .planned, summary: "nothing has run yet", gate: nil, isReversible: true, modes: both,
            step: [], recurring: [], exitChecks: []),
        PhaseDefinition(
            phase: .dualExport, summary: "publish the state's feed a second time for the national importer", gate: nil,
            isReversible: true, modes: both, step: [.dualExport], recurring: [.dualExport],
            exitChecks: [.secondFeedVerifies, .keyStoreReachable, .referenceServerPublishes]),
        PhaseDefinition(
            phase: .importing, summary: "import the second feed into the national key store and write the national feed",
            gate: nil, isReversible: true, modes: both, step: importAndExport, recurring: importAndExport,
            exitChecks: [.referenceServerPublishes, .importComplete]),
        PhaseDefinition(
            phase: .preparingCutOver,
            summary: "prepare the cut-over: stage the national feed on the state's CDN, prove coverage, write the rotation request",
            gate: nil, isReversible: true, modes: both, step: [.mirrorStage, .coverageProof, .rotationRequest],
            // While the key-rotation gate waits (days, often), new state files keep flowing and the proof keeps standing.
            recurring: importAndExport + [.mirrorStage, .coverageProof], exitChecks: [.pipelineDrained, .coverage]),
        PhaseDefinition(
            phase: .keyRotation, summary: "cut-over: Apple/Google switch the app to the national key; the mirror index is swapped",
            gate: .keyRotation, isReversible: false, modes: both, step: [.cutOver], recurring: [], exitChecks: []),
        PhaseDefinition(
            phase: .mirroring, summary: "serve the national feed at the state's CDN; importer and mirror keep running", gate: nil,
            isReversible: false, modes: both, step: steady, recurring: steady, exitChecks: [.coverageAfterCutOver]),
        PhaseDefinition(
            phase: .appUpdate, summary: "the state ships an app that talks to the national server", gate: .appUpdate,
            isReversible: false, modes: [.full], step: steady, recurring: steady, exitChecks: [.uploadsQuiet]),
        PhaseDefinition(
            phase: .decommission, summary: "final import sweep; the state's importer and feeds are turned down (irreversible)",
            gate: .decommission, isReversible: false, modes: [.full], step: [.decommission], recurring: [], exitChecks: []),
        PhaseDefinition(
            phase: .complete, summary: "the migration is complete", gate: nil, isReversible: false, modes: [.full],
            step: [], recurring: [], exitChecks: []),
    ]

    private static let both: Set<Mode> = Set(Mode.allCases)
    private static let importAndExport: [WorkerRole] = [.dualExport, .importer, .nationalExport]
    /// After the cut-over: the second feed from the state's new origin, imported, exported, mirrored, watched.
    private static let steady: [WorkerRole] = [.dualExportAfterCutOver, .importer, .nationalExport, .mirror, .phoneWatch]

    /// This phase's entry in ``definitions``.
    public var definition: PhaseDefinition {
        // The table lists every case once (PhaseDefinitionTests); the fallback is never taken.
        Self.definitions.first { $0.phase == self } ?? Self.definitions[0]
    }
}
