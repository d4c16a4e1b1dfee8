import Foundation
import MigrationEngine

/// The phone's-eye watch on every steady pass after the cut-over: one look at the feed phones
/// download (``PhoneWatch``), reported as the check `phone-watch` (metrics, hooks, the event
/// stream). Monitoring, not a gate: an unhealthy feed is reported, never a failed step, because
/// the run can do nothing about a CDN but say so at once.
public struct PhoneWatchWorker: MigrationWorker {
    public let watch: PhoneWatch
    public var name: String { "phone-watch" }

    public init(watch: PhoneWatch) {
        self.watch = watch
    }

    public func describePlannedWork() async throws -> String {
        "read \(watch.indexURL) as phones do and report what they would get"
    }

    public func isDone() async throws -> Bool { false }

    public func apply() async throws {
        let report = await watch.look()
        watch.reader.environment.report(
            .check(CheckResult(name: name, outcome: report.healthy ? .passed : .failed, reason: report.summary)))
    }

    public func verify() async throws {}

    public func steadyPass() async throws { try await apply() }
}
