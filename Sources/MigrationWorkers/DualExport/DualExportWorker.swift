import Foundation
import MigrationEngine

/// Dual-export from the client feed as an engine step: each `apply` is one re-sign pass.
/// Quarantined files are reported and do not fail the step.
public struct DualExportWorker: MigrationWorker {
    public let resigner: FeedResigner
    public var name: String { "dual-export" }

    public init(resigner: FeedResigner) {
        self.resigner = resigner
    }

    public func describePlannedWork() async throws -> String {
        let new = try await resigner.unpublishedEntries()
        return "verify and re-sign \(new.count) client-feed files into \(resigner.destinationRoot), then write its index"
    }

    public func isDone() async throws -> Bool {
        guard try await resigner.unpublishedEntries().isEmpty else { return false }
        return try await resigner.secondIndexIsCurrent()
    }

    public func apply() async throws {
        let summary = try await resigner.runPass()
        resigner.environment.reportProblems(worker: name, failed: summary.quarantined, retrying: summary.retrying)
    }

    public func verify() async throws {}

    public func steadyPass() async throws {
        try await apply()
    }
}
