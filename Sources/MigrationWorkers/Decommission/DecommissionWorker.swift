import Foundation
import MigrationEngine
import MigrationStoreContracts

/// The `decommission` step (irreversible; after its approval): a final sweep of the recurring
/// workers (dual-export, import, national export, mirror), a final coverage proof on what phones
/// read, the state's second feed archived (copied, never deleted) into the reports folder, and
/// the report written as Markdown and JSON. Later phases run no importer or dual-export.
public struct DecommissionWorker: MigrationWorker {
    public let migration: String
    /// Passed once more, in order, before the proof.
    public let finalSweep: [any MigrationWorker]
    public let coverage: CutOverCoverageCheck
    public let importer: FeedImporter
    /// Where the report and the archive go.
    public let reports: URL
    public let mirrorIndex: (store: any BlobStore, path: String)
    /// Where the second feed is archived: the folder ``archive`` as a store (a file store in
    /// production; the workers never make a driver themselves).
    public let archiveStore: any BlobStore
    /// The journal's facts, read when the report is written.
    public let runFacts: @Sendable () throws -> DecommissionReport.RunFacts
    public let environment: WorkerEnvironment
    public var name: String { "decommission" }

    public init(
        migration: String, finalSweep: [any MigrationWorker], coverage: CutOverCoverageCheck, importer: FeedImporter, reports: URL,
        mirrorIndex: (store: any BlobStore, path: String), archiveStore: any BlobStore,
        runFacts: @escaping @Sendable () throws -> DecommissionReport.RunFacts, environment: WorkerEnvironment = .init()
    ) {
        self.archiveStore = archiveStore
        self.migration = migration
        self.finalSweep = finalSweep
        self.coverage = coverage
        self.importer = importer
        self.reports = reports
        self.mirrorIndex = mirrorIndex
        self.runFacts = runFacts
        self.environment = environment
    }

    public var reportJSON: URL { reports.appendingPathComponent("decommission-report.json") }
    public var reportMarkdown: URL { reports.appendingPathComponent("decommission-report.md") }
    public var archive: URL { reports.appendingPathComponent("second-feed-archive") }

    /// The coverage proof failed in the final sweep: nothing was archived or reported.
    public struct CoverageMissing: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "decommission stopped before archiving: \(reason)" }
    }

    public func describePlannedWork() async throws -> String {
        "final import sweep and coverage proof, archive the second feed to \(archive.path), write \(reportMarkdown.path) (irreversible)"
    }

    public func isDone() async throws -> Bool { FileManager.default.fileExists(atPath: reportJSON.path) }

    public func apply() async throws {
        for worker in finalSweep { try await worker.steadyPass() }
        let proof = await coverage.evaluate()
        guard proof.outcome == .passed else { throw CoverageMissing(reason: proof.reason) }
        // What the proof left out or was told to accept, listed on their own for the record.
        let structured = try? await coverage.report()
        try await archiveSecondFeed()
        let records = try await importer.keyStore.importFiles()
        let mirrored = (try? await mirrorIndex.store.read(mirrorIndex.path)).map { String(decoding: $0, as: UTF8.self).split(separator: "\n").count } ?? 0
        let facts = try runFacts()
        let report = DecommissionReport(
            migration: migration, writtenAt: environment.now(), timeline: facts.timeline, approvals: facts.approvals,
            keysInNationalStore: try await importer.keyStore.keyCount(), filesImported: records.filter { $0.status == .imported }.count,
            filesFailed: records.filter { $0.status != .imported }.map { "\($0.url): \($0.lastError ?? "?")" }, filesMirrored: mirrored,
            cutOverLatencyMs: facts.cutOverLatencyMs, coverage: proof.reason, secondFeedArchive: archive.path,
            stateFilesLeftOut: structured?.state.rejectedFiles.map(\.description) ?? [],
            acceptedLosses: structured?.accepted.map {
                "\($0.file): " + ($0.unavailable ? "unreadable" : "\($0.keys) keys") + ", accepted by \($0.by): \($0.note)"
            } ?? [],
            phoneDownloadsAtSwap: facts.phoneDownloadsAtSwap)
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try Data(report.markdown.utf8).write(to: reportMarkdown, options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // The JSON last: its presence means the step is done.
        try encoder.encode(report).write(to: reportJSON, options: .atomic)
    }

    public func verify() async throws {
        guard try await isDone() else { throw WorkerError.postcondition("\(reportJSON.path) was not written") }
    }

    /// Copies the second feed's index and every file it lists; files already copied are kept.
    private func archiveSecondFeed() async throws {
        let destination = archiveStore
        let index = try await importer.index()
        for entry in index.entries where !(try await destination.exists(entry)) {
            try await destination.write(try await importer.feed.read(entry), to: entry)
        }
        try await destination.write(Data(index.text.utf8), to: importer.indexPath)
    }
}
