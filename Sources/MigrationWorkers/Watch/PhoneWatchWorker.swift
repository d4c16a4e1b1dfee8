import Foundation
import MigrationEngine
import MigrationStoreContracts
import Synchronization

/// The phone's-eye watch on every steady pass after the cut-over: one look at the feed phones
/// download (``PhoneWatch``), reported as the check `phone-watch` (metrics, hooks, the event
/// stream). Monitoring, not a gate: an unhealthy feed is reported, never a failed step, because
/// the run can do nothing about a CDN but say so at once.
///
/// A steady pass reads the index and the newest ``newest`` files (what phones fetch next) and
/// every file once per ``fullEvery``: a pass that read the whole feed every interval would
/// cost the steady state the feed's size (35 MB at a million keys) for what the mirror has
/// already verified; damage to an older file on the CDN is still found within a day.
///
/// When the last full look was is kept in ``memory`` (the journal's document `phone-watch`
/// under `apply`): a scheduler running `apply --once` starts a new process every pass, and
/// one that only remembered it in memory read the whole feed on every one of them (0.9 s of a
/// 1.3 s pass at a million keys).
public struct PhoneWatchWorker: MigrationWorker {
    public let watch: PhoneWatch
    public let newest: Int
    public let fullEvery: Duration
    /// Where the time of the last full look is kept (nil: only in this process).
    public let memory: WorkerDocument?
    private let lastFull = LastFullLook()
    public var name: String { "phone-watch" }

    public init(watch: PhoneWatch, newest: Int = 3, fullEvery: Duration = .seconds(86_400), memory: WorkerDocument? = nil) {
        self.watch = watch
        self.newest = newest
        self.fullEvery = fullEvery
        self.memory = memory
    }

    public func describePlannedWork() async throws -> String {
        "read \(watch.indexURL) as phones do and report what they would get"
    }

    public func isDone() async throws -> Bool { false }

    public func apply() async throws {
        let now = watch.reader.environment.now()
        let full = try fullLookDue(now: now)
        let report = await watch.look(newest: full ? nil : newest)
        watch.reader.environment.report(
            .check(CheckResult(name: name, outcome: report.healthy ? .passed : .failed, reason: report.summary)))
        // Remembered once the look is made: a process stopped in the middle of one looks again.
        if full, let memory { try PhoneWatchMemory(fullLookAt: now).save(to: memory) }
    }

    /// Whether this pass reads every file: never done, or done `fullEvery` ago.
    private func fullLookDue(now: Date) throws -> Bool {
        guard let memory else { return lastFull.due(now: now, every: fullEvery) }
        guard let last = try PhoneWatchMemory.load(from: memory)?.fullLookAt else { return true }
        // A time ahead of now (a clock set back) counts as due rather than postponing the look.
        let elapsed = now.timeIntervalSince(last)
        return elapsed < 0 || elapsed >= Double(fullEvery.components.seconds)
    }

    public func verify() async throws {}

    public func steadyPass() async throws { try await apply() }
}

/// When this process last read every file (nil: never, so the first pass does).
private final class LastFullLook: Sendable {
    private let at = Mutex<Date?>(nil)

    /// Whether a full look is due now; if so, it is counted as done.
    func due(now: Date, every: Duration) -> Bool {
        at.withLock { last in
            guard let previous = last, now.timeIntervalSince(previous) < Double(every.components.seconds) else {
                last = now
                return true
            }
            return false
        }
    }
}
