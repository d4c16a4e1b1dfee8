import ArgumentParser
import MigrationEngine
import Synchronization

/// `apply --once --scheduled`: exit codes for a scheduler (cron, a systemd timer, a Kubernetes
/// CronJob), which counts every non-zero exit as a failed run. Like Terraform's
/// `-detailed-exitcode` the other way round: what is normal progress for a migration that lasts
/// months exits 0 — waiting at a gate (days), checks still pending on work to come (the state
/// publishes daily), another replica holding the run — and the outcome line says which. What
/// needs a person still fails: a check that failed on data that exists (3), a failed step (1), a
/// changed plan (6), a repair (7).
final class ScheduledExit: Sendable {
    /// The check results the journal recorded with the pass that blocked.
    private let blockingChecks = Mutex<[CheckResult]>([])

    /// After a pass: a blocked one's checks are read from the journal, where the engine recorded
    /// them with the transition it refused (a catch-up that blocked records none).
    func passEnded(_ outcome: RunOutcome, journal: Journal) {
        guard case .blocked = outcome else { return }
        let checks = (try? RunStatusReport.read(journal, plan: "", verifyChain: false))??.checks ?? []
        blockingChecks.withLock { $0 = checks }
    }

    /// Whether a `blocked` outcome came only from checks waiting for work still to come.
    var blockedOnlyByPendingWork: Bool {
        blockingChecks.withLock { checks in
            checks.allSatisfy { $0.outcome == .passed || $0.outcome == .pending } && checks.contains { $0.outcome == .pending }
        }
    }

    /// The exit code under `--scheduled`, and the words that say it is not a failure.
    func exitCode(for outcome: RunOutcome) -> (code: ExitCode, note: String?) {
        switch outcome {
        case .waitingForApproval(let gate):
            (EnmigrateExit.done, "scheduled: waiting at gate \(gate.rawValue) is normal progress (exit 0; 4 without --scheduled)")
        case .blocked where blockedOnlyByPendingWork:
            (EnmigrateExit.done, "scheduled: only checks pending on work still to come (exit 0; 3 without --scheduled)")
        default:
            (outcome.exitCode, nil)
        }
    }
}
