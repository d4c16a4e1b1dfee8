import ArgumentParser
import Foundation
import MigrationEngine
import MigrationPlan

/// `enmigrate apply PLAN [--until PHASE] [--once] [--json]`.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Advance the migration as far as its checks and gates allow.",
        discussion: """
            Without --once, apply then keeps the steady-state workers running at the plan's interval, \
            and while the run waits at a gate it picks up an approval within a second, until interrupted \
            (SIGINT/SIGTERM stop cleanly; the run stays resumable). With --once it advances as far as \
            possible now and exits: 0 steady or done, 3 blocked, 4 waiting for approval, 5 lock held, \
            6 plan changed; with --scheduled as well, waiting, pending work and a held lock exit 0. SIGINT, SIGTERM \
            and SIGHUP stop cleanly with exit 0. An interrupted or failed run is continued exactly as `resume` does.
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Option(
        help: "Stop on reaching this phase (\(MigrationPhase.allCases.filter { $0 != .planned && $0 != .complete }.map(\.rawValue).joined(separator: ", "))).",
        completion: .list(MigrationPhase.allCases.filter { $0 != .planned }.map(\.rawValue)))
    var until: String?

    @Flag(help: "Advance as far as possible now, run steady-state workers once, and exit.")
    var once = false

    @Flag(help: "Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).")
    var json = false

    @Option(help: ArgumentHelp("Who runs it, kept on every journal record it writes (default: user@host).", valueName: "NAME"))
    var by: String?

    @Option(help: ArgumentHelp("Why (a change ticket, say), kept on every journal record it writes.", valueName: "TEXT"))
    var note: String?

    @Flag(
        help: """
            For a scheduler (cron, a systemd timer, a Kubernetes CronJob) running --once: waiting at a gate, checks pending on \
            work still to come and another process holding the run exit 0 (the last line says which); a failure still fails.
            """)
    var scheduled = false

    @Option(
        name: .customLong("metrics-address"),
        help: ArgumentHelp(
            "Serve Prometheus metrics and health probes (/metrics, /healthz, /readyz) on HOST:PORT while apply runs (default: the plan's monitoring.address).",
            valueName: "HOST:PORT"))
    var metricsAddress: String?

    @Flag(
        name: .customLong("take-back-client-index"),
        help: "After the cut-over: republish the client index although something else rewrote it (stop that writer first).")
    var takeBackClientIndex = false

    func run() async throws {
        let target = try until.map { value -> MigrationPhase in
            guard let phase = MigrationPhase(rawValue: value) else {
                let phases = MigrationPhase.allCases.map(\.rawValue)
                throw ValidationError("--until: unknown phase \(value)" + DidYouMean.hint(value, in: phases) + "; phases: " + phases.joined(separator: ", "))
            }
            return phase
        }
        try await EngineErrors.run(json: json) {
            var context = try EngineContext.load(plan)
            context.takeBackClientIndex = takeBackClientIndex
            context.runsHooks = true
            context.attribute(by: by, note: note)
            let printer = EventPrinter(json: json, plan: plan)
            let schedule = ScheduledExit()
            let metrics = RunMetrics()
            var server: MonitoringServer?
            // The flag wins over the plan's `monitoring.address`, so one replica can move its port.
            if let address = metricsAddress ?? context.plan.monitoring?.address {
                server = try await MonitoringServer.start(address: address, metrics: metrics, stalledAfter: Self.stallLimit(context.plan.workers))
            }
            if let server { printer.note("monitoring: http://\(server.host):\(server.port)/metrics, /healthz, /readyz") }
            let outcome: RunOutcome
            do {
                let monitored = server != nil, scheduled = scheduled
                outcome = try await Self.advance(
                    context: context, until: target, once: once, printer: printer,
                    observe: { if monitored { metrics.observe($0) } },
                    afterPass: { outcome, journal in
                        if scheduled { schedule.passEnded(outcome, journal: journal) }
                        // The journal is read whole for the report: not on every second a gate waits.
                        guard monitored else { return }
                        let report = metrics.wantsReport(after: outcome) ? (try? RunStatusReport.read(journal, plan: plan, verifyChain: false)) ?? nil : nil
                        metrics.passEnded(outcome, report: report)
                    },
                    whileWaiting: { if monitored { metrics.stillWaiting() } })
            } catch JournalError.lockHeld(let holder) {
                await server?.stop()
                // Another replica runs the migration: help with its import, or say who holds it (exit 5).
                if try await ImportJoin.joinIfImporting(context: context, holder: holder, json: json) { return }
                if scheduled {
                    printer.note("scheduled: another process holds the run (\(holder)); nothing to do here (exit 0; 5 without --scheduled)")
                    return
                }
                throw JournalError.lockHeld(holder: holder)
            }
            await server?.stop()
            await context.hooks.drain()
            printer.outcome(outcome)
            guard scheduled else { throw outcome.exitCode }
            let (code, note) = schedule.exitCode(for: outcome)
            if let note { printer.note(note) }
            throw code
        }
    }

    /// Runs the orchestrator; without `once`, keeps waiting at a gate (polling each second)
    /// and keeps the steady state alive at the plan's interval until interrupted.
    /// How long `/healthz` lets a step run without a word: the plan's step timeout and interval, and a minute.
    static func stallLimit(_ workers: WorkerSettings) -> TimeInterval {
        TimeInterval((workers.stepTimeout + workers.interval).components.seconds) + 60
    }

    /// `prepared`: an orchestrator already built on the context's journal (its stores open).
    static func advance(
        context: EngineContext, until: MigrationPhase?, once: Bool, printer: EventPrinter,
        prepared: Orchestrator? = nil,
        observe: @escaping @Sendable (MigrationEvent) -> Void = { _ in },
        afterPass: @escaping @Sendable (RunOutcome, Journal) async -> Void = { _, _ in },
        whileWaiting: @escaping @Sendable () -> Void = {}
    ) async throws -> RunOutcome {
        let journal = try prepared?.journal ?? context.openJournal()
        // The plan's status page is written after every pass of apply, resume and approve.
        let page = context.plan.monitoring?.statusPage.map { URL(fileURLWithPath: $0) }
        let backlog = BacklogSeen()
        let planPath = printer.plan
        let passEnded: @Sendable (RunOutcome, Journal) async -> Void = { outcome, journal in
            await afterPass(outcome, journal)
            if let page { await StatusPageWriter.refresh(context: context, journal: journal, planPath: planPath, page: page, backlog: backlog.take()) }
        }
        let orchestrator =
            try prepared
            ?? context.orchestrator(
                journal: journal,
                events: {
                    observe($0); backlog.observe($0); printer($0)
                })
        let interval = context.plan.workers.interval
        return try await InterruptHandling.run {
            var engine = orchestrator
            // A waiting or steady apply keeps the run lock, renewing it on every pass, so a
            // second apply is told who holds it.
            defer { try? journal.releaseLease(ownedBy: engine.environment.owner) }
            var outcome = try await engine.apply(until: until, keepLease: !once)
            await passEnded(outcome, journal)
            var lastCatchUp = ContinuousClock.now
            while !once {
                switch outcome {
                case .waitingForApproval:
                    // Only a journal record (an approval, an abort, an accepted loss, a takeover)
                    // or the interval's catch-up changes a wait: the journal's last record is
                    // polled each second, the lease kept, and a pass runs when one of them is due.
                    // A pass a second re-verified the journal's hash chain and read it whole
                    // (9 % of a core at a gate, most of it in that and the catch-ups).
                    let seen = try journal.lastRecord()?.sequence
                    var renewed = ContinuousClock.now
                    while ContinuousClock.now - lastCatchUp < interval, try journal.lastRecord()?.sequence == seen {
                        try await Task.sleep(for: .seconds(1))
                        if ContinuousClock.now - renewed >= engine.definition.leaseDuration / 3 {
                            try journal.renewLease(ownedBy: engine.environment.owner, now: engine.environment.now(), ttl: engine.definition.leaseDuration)
                            renewed = .now
                        }
                        whileWaiting()
                    }
                    engine.catchUpAtGate = ContinuousClock.now - lastCatchUp >= interval
                    if engine.catchUpAtGate { lastCatchUp = .now }
                case .steady:
                    // The lease lasts seconds and the interval minutes: keep it while sleeping, so
                    // no second apply takes the run over and mirrors at the same time.
                    try await journal.sleepKeepingLease(interval, owner: engine.environment.owner, ttl: engine.definition.leaseDuration)
                default:
                    return outcome
                }
                outcome = try await engine.apply(until: until, keepLease: true)
                await passEnded(outcome, journal)
            }
            return outcome
        }
    }
}
