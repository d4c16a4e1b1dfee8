import Foundation
import ExposureExport
import MigrationEngine
import MigrationStoreContracts

/// The export-importer as an engine step: each `apply` is one import pass. A file that stays
/// `retrying` does not fail the step; the `importing` exit check holds the run until it is
/// imported or failed for good.
public struct ImportWorker: MigrationWorker {
    public let importer: FeedImporter
    /// When each second-feed file still to import was first seen waiting (the import lag).
    let waiting = PendingSince()
    public var name: String { "export-importer" }

    public init(importer: FeedImporter) {
        self.importer = importer
    }

    public func describePlannedWork() async throws -> String {
        let index: ExportIndex
        do {
            index = try await importer.index()
        } catch BlobStoreError.notFound {
            return "import every second-feed file once \(importer.indexPath) is published"
        }
        let pending = try await importer.pendingEntries(of: index)
        return "import \(pending.count) of \(index.entries.count) second-feed files into the national key store"
    }

    public func isDone() async throws -> Bool {
        try await importer.pendingEntries(of: importer.index()).isEmpty
    }

    public func apply() async throws {
        var summary = try await importer.runPass()
        report(summary)
        // Files another replica claimed: the step is done when they are, so wait for it (its
        // claims lapse if it dies, and the next pass here takes them over).
        while !summary.claimedElsewhere.isEmpty {
            importer.environment.report(
                .progress(
                    worker: name, done: summary.indexEntries - summary.claimedElsewhere.count,
                    total: summary.indexEntries,
                    detail: "waiting for \(summary.claimedElsewhere.count) files another replica is importing"))
            try await importer.environment.sleep(.milliseconds(250))
            summary = try await importer.runPass()
            report(summary)
        }
        try await reportBacklog()
    }

    /// The files still to import after the pass (failed ones excepted: they wait for a person,
    /// and `status` lists them) and since when the oldest waits.
    private func reportBacklog() async throws {
        let pending = try await importer.pendingEntries(of: importer.index())
        let oldest = waiting.update(pending: pending, now: importer.environment.now())
        importer.environment.report(.backlog(worker: name, pending: pending.count, oldestSince: oldest))
    }

    /// The pass's problems, warnings and its summary line (refused keys by reason included).
    private func report(_ summary: ImportPassSummary) {
        let environment = importer.environment
        environment.reportProblems(worker: name, failed: summary.failed, retrying: summary.retrying)
        for warning in summary.warnings { environment.report(.fileWarning(worker: name, file: warning.file, warning: warning.reason)) }
        guard summary.attempted > 0 else { return }
        environment.report(.summary(worker: name, text: summary.text))
    }

    public func verify() async throws {}

    public func steadyPass() async throws {
        try await apply()
    }
}
