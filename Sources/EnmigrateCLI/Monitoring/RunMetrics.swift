import Foundation
import MigrationEngine
import Prometheus
import Synchronization

/// What a long-running `apply` exposes to Prometheus and to its health probes, kept up to date
/// from the engine's event stream and, after every pass, from the journal's status report.
/// Nothing here ever carries key material: names of phases, workers, checks and files' counts.
final class RunMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// When the run last showed a sign of life (an event or a finished pass), and how the last
    /// pass ended; read by `/healthz` and `/readyz`.
    private struct Liveness {
        var lastActivity = Date()
        var lastOutcome: RunOutcome?
        var waitingSince: Date?
    }

    private let liveness = Mutex(Liveness())
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date = Date.init) {
        self.now = now
        gauge("enmigrate_up", help: "1 while the apply process runs").set(Double(1))
        // At 0 from the start, so an alert on them has a series before the first import pass.
        _ = gauge("enmigrate_import_pending_files", help: Self.pendingHelp)
        _ = gauge("enmigrate_import_lag_seconds", help: Self.lagHelp)
        _ = gauge("enmigrate_import_oldest_pending_timestamp_seconds", help: Self.oldestHelp)
    }

    static let pendingHelp = "Second-feed files not yet imported after the importer's last pass"
    static let lagHelp = "How long the oldest second-feed file not yet imported had waited at the importer's last pass (0: none waits)"
    static let oldestHelp = "Since when the oldest second-feed file not yet imported waits (0: none waits); alert on time() minus it"

    private func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func counter(_ name: String, labels: [(String, String)] = [], help: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    // MARK: From events

    /// Updates the metrics an event changes.
    func observe(_ event: MigrationEvent) {
        let at = now()
        liveness.withLock { $0.lastActivity = at }
        switch event {
        case .phaseEntered(let phase):
            setPhase(phase.rawValue)
        case let .stepStarted(phase, worker, _):
            // Every series a worker can have exists from its first step, at 0: an alert on
            // `increase(…)` sees the first problem, not only the second.
            for outcome in ["quarantined", "retrying"] {
                _ = counter("enmigrate_files_problems_total", labels: [("worker", worker), ("outcome", outcome)], help: Self.problemsHelp)
            }
            for result in ["succeeded", "failed"] {
                _ = counter("enmigrate_worker_steps_total", labels: [("worker", worker), ("phase", phase.rawValue), ("result", result)], help: Self.stepsHelp)
            }
        case let .stepSucceeded(phase, worker):
            gauge(
                "enmigrate_worker_last_success_timestamp_seconds", labels: [("worker", worker)],
                help: "When the worker last finished a step or pass successfully"
            ).set(at.timeIntervalSince1970)
            counter(
                "enmigrate_worker_steps_total", labels: [("worker", worker), ("phase", phase.rawValue), ("result", "succeeded")],
                help: Self.stepsHelp
            ).increment()
        case let .stepFailed(phase, worker, _):
            counter(
                "enmigrate_worker_steps_total", labels: [("worker", worker), ("phase", phase.rawValue), ("result", "failed")],
                help: Self.stepsHelp
            ).increment()
        case let .backlog(worker, pending, oldest) where worker == "export-importer":
            gauge("enmigrate_import_pending_files", help: Self.pendingHelp).set(Double(pending))
            gauge("enmigrate_import_lag_seconds", help: Self.lagHelp).set(oldest.map { max(0, at.timeIntervalSince($0)) } ?? 0)
            gauge("enmigrate_import_oldest_pending_timestamp_seconds", help: Self.oldestHelp).set(oldest?.timeIntervalSince1970 ?? 0)
        case let .progress(worker, done, total, keys, _):
            gauge(
                "enmigrate_worker_files_done", labels: [("worker", worker)],
                help: "Files the worker's current pass has done"
            ).set(Double(done))
            if let keys {
                gauge(
                    "enmigrate_worker_keys_in_pass", labels: [("worker", worker)],
                    help: "Keys the worker's current pass has handled so far (imported, read, written)"
                ).set(Double(keys))
            }
            gauge(
                "enmigrate_worker_files_in_pass", labels: [("worker", worker)],
                help: "Files the worker's current pass has to do"
            ).set(Double(total))
        case let .fileProblem(worker, _, _, permanent):
            counter(
                "enmigrate_files_problems_total", labels: [("worker", worker), ("outcome", permanent ? "quarantined" : "retrying")],
                help: Self.problemsHelp
            ).increment()
        case .check(let result):
            for outcome in CheckResult.Outcome.allOutcomes {
                gauge(
                    "enmigrate_check", labels: [("check", result.name), ("outcome", outcome.rawValue)],
                    help: "1 for the outcome each precondition check had when last evaluated"
                ).set(Double(result.outcome == outcome ? 1 : 0))
            }
            if result.name == "coverage" {
                gauge("enmigrate_coverage_holds", help: "1 when the last coverage proof held, 0 when it did not")
                    .set(Double(result.outcome == .passed ? 1 : 0))
            }
        default:
            break
        }
    }

    // MARK: After a pass

    /// When the journal's report was last read, and after which outcome.
    private let lastReport = Mutex<(at: Date, outcome: String)?>(nil)

    /// Whether the pass that ended with `outcome` should refresh from the journal: when the
    /// outcome changed, else at most every 15 s.
    func wantsReport(after outcome: RunOutcome) -> Bool {
        let at = now(), name = Self.name(of: outcome)
        return lastReport.withLock { last in
            guard let previous = last, previous.outcome == name, at.timeIntervalSince(previous.at) < 15 else {
                last = (at, name)
                return true
            }
            return false
        }
    }

    /// Between the passes of a wait at a gate (the journal is polled each second, a pass runs
    /// when something changed): the process is alive and the wait grows; no pass is claimed.
    func stillWaiting() {
        let at = now()
        let since = liveness.withLock { state in
            state.lastActivity = at
            return state.waitingSince
        }
        gauge("enmigrate_gate_waiting_seconds", help: "How long the run has waited at its gate (0 when not waiting)")
            .set(since.map { at.timeIntervalSince($0) } ?? 0)
    }

    /// Records how a pass ended and refreshes what the journal knows (`report`, when read).
    func passEnded(_ outcome: RunOutcome, report: RunStatusReport?) {
        let at = now()
        liveness.withLock { state in
            state.lastActivity = at
            state.lastOutcome = outcome
            // The journal says since when (a restarted apply keeps the wait's real start); a
            // pass that did not read it keeps the last known start while it still waits.
            if case .waitingForApproval = outcome {
                if let report { state.waitingSince = report.waitingSince }
            } else {
                state.waitingSince = nil
            }
        }
        gauge("enmigrate_last_pass_timestamp_seconds", help: "When the last pass of apply ended").set(at.timeIntervalSince1970)
        for name in Self.outcomeNames {
            gauge("enmigrate_outcome", labels: [("outcome", name)], help: "1 for how the last pass ended")
                .set(Double(Self.name(of: outcome) == name ? 1 : 0))
        }
        let waiting = liveness.withLock { $0.waitingSince }.map { at.timeIntervalSince($0) } ?? 0
        gauge("enmigrate_gate_waiting_seconds", help: "How long the run has waited at its gate (0 when not waiting)").set(waiting)
        guard let report else { return }
        setPhase(report.phase)
        if let latency = report.cutoverLatencyMs {
            gauge("enmigrate_cutover_latency_seconds", help: "From the key-rotation approval to the client index swap")
                .set(Double(latency) / 1000)
        }
        gauge("enmigrate_lease_expiry_timestamp_seconds", help: "When the run lock's lease runs out unless renewed (0: nobody holds it)")
            .set(report.leaseExpiresAt?.timeIntervalSince1970 ?? 0)
        gauge("enmigrate_failed_files", help: "Files failed for good, waiting for requeue or accept-loss")
            .set(Double(report.failedFiles.count))
    }

    private static let stepsHelp = "Steps and passes run, by result"
    private static let problemsHelp = "Files a worker could not use: quarantined for good, or left for a later pass"
    private static let phases = MigrationPhase.allCases.map(\.rawValue)

    private func setPhase(_ current: String) {
        for phase in Self.phases {
            gauge("enmigrate_phase", labels: [("phase", phase)], help: "1 for the phase the run is in").set(Double(phase == current ? 1 : 0))
        }
    }

    static let outcomeNames = ["steady", "complete", "reached", "waiting", "blocked", "failed", "aborted"]

    static func name(of outcome: RunOutcome) -> String {
        switch outcome {
        case .steady: "steady"
        case .complete: "complete"
        case .reached: "reached"
        case .waitingForApproval: "waiting"
        case .blocked: "blocked"
        case .failed: "failed"
        case .aborted, .abortPending: "aborted"
        }
    }

    // MARK: Probes

    /// `/healthz`: the process is making progress. A step may take up to `stalledAfter` without
    /// a word before the probe says so (the plan's step timeout plus its interval, by default).
    func health(stalledAfter: TimeInterval) -> (ok: Bool, text: String) {
        let idle = now().timeIntervalSince(liveness.withLock { $0.lastActivity })
        return idle <= stalledAfter
            ? (true, "ok: last activity \(Int(idle)) s ago\n")
            : (false, "stalled: no event and no finished pass for \(Int(idle)) s (limit \(Int(stalledAfter)) s)\n")
    }

    /// `/readyz`: the run is doing its job — it has finished a pass and that pass did not fail
    /// or block on something a person must fix. Waiting at a gate is ready.
    func readiness() -> (ok: Bool, text: String) {
        switch liveness.withLock({ $0.lastOutcome }) {
        case nil: (false, "starting: the first pass has not ended yet\n")
        case .failed(let reason)?: (false, "failed: \(reason)\n")
        case .blocked(let reason)?: (false, "blocked: \(reason)\n")
        case let outcome?: (true, "ready: \(Self.name(of: outcome))\n")
        }
    }
}

extension CheckResult.Outcome {
    static let allOutcomes: [CheckResult.Outcome] = [.passed, .failed, .pending, .inconclusive]
}
