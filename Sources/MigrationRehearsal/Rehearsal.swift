import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationPlan
import MigrationStores

/// `enmigrate rehearse`: runs an operator's plan, end to end, against a local simulation shaped
/// like it — a simulated state publishing real keys over loopback HTTP, the national side on
/// local files and SQLite — through the unchanged `apply`/`approve` commands as child
/// processes, optionally with faults injected, and judges the end by the coverage proof.
public struct Rehearsal: Sendable {
    /// How to rehearse.
    public struct Options: Sendable {
        /// The rehearsal's own folder (replaced when it holds an earlier rehearsal).
        public var folder: URL
        /// The `enmigrate` binary the child processes run (this one).
        public var executable: URL
        /// Days of keys the simulated state publishes (the last one while the run waits for the
        /// key-rotation approval, as a state keeps publishing).
        public var days = 14
        /// Keys the simulated state publishes a day.
        public var keysPerDay = 3000
        /// Fixes the keys and the faults' files and moments.
        public var seed: UInt64 = 1
        /// What goes wrong on purpose.
        public var faults = RehearsalFaults()
        /// The text of `--faults`, for the report.
        public var faultSpec = "none"
        /// Keep the plan's `s3://`/`gs://` second and national feeds (on loopback emulators)
        /// instead of folders (`--keep-buckets`).
        public var keepBuckets = false
        /// A PostgreSQL journal (`--journal postgres://…?schema=…`) instead of the folder's SQLite
        /// file: the database replicas share. The schema should be new (the run starts there).
        public var journal: String?
        /// `apply` processes started together for every pass (`--replicas`), sharing the journal
        /// and racing for its lease as the replicas of a deployment do: one works, the others
        /// find the run held (exit 5) or take it over from a killed holder.
        public var replicas = 1
        /// The shell command that restarts the journal's PostgreSQL server (`--restart-command`),
        /// for the `restart` fault.
        public var restartCommand: String?

        public init(folder: URL, executable: URL) {
            self.folder = folder
            self.executable = executable
        }
    }

    /// Passes after which a rehearsal that has not reached its end gives up (each kill costs one).
    static let passLimit = 40

    let planURL: URL
    let options: Options
    let progress: @Sendable (String) -> Void

    /// A rehearsal of the plan at `planURL`; `progress` receives one line per thing done.
    public init(plan planURL: URL, options: Options, progress: @escaping @Sendable (String) -> Void) {
        self.planURL = planURL
        self.options = options
        self.progress = progress
    }

    /// Runs the rehearsal and returns its report (also written to the folder).
    public func run() async throws -> RehearsalReport {
        if options.faults.restarts > 0, options.journal?.hasPrefix("postgres") != true || options.restartCommand == nil {
            throw RehearsalError.badFaultSpec(
                "--faults restart needs a PostgreSQL journal (--journal postgres://…) and the command that restarts its server (--restart-command)")
        }
        guard (1...4).contains(options.replicas) else {
            throw RehearsalError.badFaultSpec("--replicas takes 1 to 4, not \(options.replicas)")
        }
        if options.replicas > 1, options.journal?.hasPrefix("postgres") != true {
            throw RehearsalError.badFaultSpec(
                "--replicas \(options.replicas) needs a PostgreSQL journal (--journal postgres://…): replicas share a run through its database")
        }
        let loaded = PlanLoader.load(contentsOf: planURL)
        guard let plan = loaded.plan else {
            let errors = loaded.diagnostics.filter { $0.severity == .error }
            throw RehearsalError.invalidPlan(
                "\(planURL.path): the plan is not valid (\(errors.count) errors; run `enmigrate validate \(planURL.path)`); a rehearsal is shaped like a valid plan"
            )
        }
        let layout = RehearsalLayout(folder: options.folder)
        try layout.prepare()
        let shape = RehearsalShape(plan: plan)
        let keys = try RehearsalKeys.generate(in: layout.keys)
        let buckets =
            options.keepBuckets
            ? try await RehearsalBuckets.kept(plan: plan, id: "\(options.seed)-\(UUID().uuidString.prefix(8).lowercased())")
            : RehearsalBuckets.folders(plan: plan)
        let server = try await LoopbackFeedServer.start(serving: layout.stateWebRoot)
        do {
            try RehearsalPlanWriter(
                shape: shape, layout: layout, stateBaseURL: server.baseURL, buckets: buckets,
                journal: options.journal ?? "sqlite:journal.db"
            ).write()
            progress("rehearsal of \(plan.name) (\(plan.mode.rawValue)) in \(layout.folder.path)")
            progress("buckets: \(buckets.summary)")
            if let journal = options.journal {
                progress("journal: \(journal)" + (options.replicas > 1 ? ", \(options.replicas) replicas racing for every pass" : ""))
            }
            progress("the simulated state serves its client feed at \(server.baseURL.absoluteString)cdn/\(shape.clientRoot)/index.txt")
            var report = try await RehearsalRun(
                shape: shape, layout: layout, options: options, server: server, planName: planURL.path,
                simulation: StateSimulation(
                    shape: shape, layout: layout, keys: keys, days: options.days, keysPerDay: options.keysPerDay,
                    secondFeed: try buckets.secondFeedStore(layout: layout)),
                progress: progress
            ).run()
            report.buckets = buckets.summary
            await server.stop()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(report).write(to: layout.report, options: .atomic)
            return report
        } catch {
            await server.stop()
            throw error
        }
    }
}
