import Foundation
import MigrationEngine
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
public struct PhoneWatchWorker: MigrationWorker {
    public let watch: PhoneWatch
    public let newest: Int
    public let fullEvery: Duration
    private let lastFull = LastFullLook()
    public var name: String { "phone-watch" }

    public init(watch: PhoneWatch, newest: Int = 3, fullEvery: Duration = .seconds(86_400)) {
        self.watch = watch
        self.newest = newest
        self.fullEvery = fullEvery
    }

    public func describePlannedWork() async throws -> String {
        "read \(watch.indexURL) as phones do and report what they would get"
    }

    public func isDone() async throws -> Bool { false }

    public func apply() async throws {
        let now = watch.reader.environment.now()
        let full = lastFull.due(now: now, every: fullEvery)
        let report = await watch.look(newest: full ? nil : newest)
        watch.reader.environment.report(
            .check(CheckResult(name: name, outcome: report.healthy ? .passed : .failed, reason: report.summary)))
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
