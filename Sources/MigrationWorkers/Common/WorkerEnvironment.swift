import Foundation
import MigrationEngine

/// Time, sleeping and progress reporting, injected so tests control them.
public struct WorkerEnvironment: Sendable {
    /// The engine's clock.
    public var now: @Sendable () -> Date
    /// Waits between retries.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Receives progress events (rendered by the CLI, ignored by default).
    public var report: @Sendable (MigrationEvent) -> Void
    /// Confirms the run lock is still this process's, immediately before a write phones can
    /// see (``HeldLease/confirm(now:)``); throws when it was lost. Nothing by default.
    public var confirmLease: @Sendable () throws -> Void

    public init(
        now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        report: @escaping @Sendable (MigrationEvent) -> Void = { _ in },
        confirmLease: @escaping @Sendable () throws -> Void = {}
    ) {
        self.now = now
        self.sleep = sleep
        self.report = report
        self.confirmLease = confirmLease
    }
}

extension WorkerEnvironment {
    /// Reports the files a pass could not use: failed for good, and left for a later pass.
    func reportProblems(worker: String, failed: [FileProblem], retrying: [FileProblem]) {
        for problem in failed { report(.fileProblem(worker: worker, file: problem.file, reason: problem.reason, permanent: true)) }
        for problem in retrying { report(.fileProblem(worker: worker, file: problem.file, reason: problem.reason, permanent: false)) }
    }
}

/// How often a transient failure is tried again within one pass, and how long to wait.
public struct TransientRetry: Sendable {
    /// Attempts in all, the first included.
    public var attempts: Int
    /// Wait before the second attempt; doubled each time.
    public var backoff: Duration
    /// Longest wait.
    public var maxBackoff: Duration

    public init(attempts: Int = 3, backoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60)) {
        self.attempts = attempts
        self.backoff = backoff
        self.maxBackoff = maxBackoff
    }
}
