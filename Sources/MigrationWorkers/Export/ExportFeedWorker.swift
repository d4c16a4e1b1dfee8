import Foundation
import MigrationEngine

/// Writes a feed from a key store as an engine step: the national feed (when the plan has
/// `national.export`) after every import pass, or the second feed with `source: keyStore`.
public struct ExportFeedWorker: MigrationWorker {
    public let writer: FeedExportWriter
    public var name: String { writer.workerName }

    public init(writer: FeedExportWriter) {
        self.writer = writer
    }

    public func describePlannedWork() async throws -> String {
        let pending = try await writer.pendingWork()
        return "write new keys into files under \(writer.root) (\(pending.written) written so far"
            + (pending.unwritten > 0 ? ", \(pending.unwritten) assigned but unwritten)" : ")")
    }

    /// Never: a pass interrupted before it assigned anything left no trace to judge by, and a
    /// pass is idempotent (assignments commit before files are written), so it simply runs again.
    public func isDone() async throws -> Bool { false }

    public func apply() async throws {
        try await writer.runPass()
    }

    /// The index lists exactly the written files.
    public func verify() async throws {
        let written = try await writer.keyStore.nationalFiles().filter(\.isWritten).map(\.name)
        let index = try? await writer.destination.read(writer.indexPath)
        guard written.isEmpty || index != nil else {
            throw WorkerError.postcondition("\(writer.indexPath) was not written")
        }
    }

    public func steadyPass() async throws {
        try await apply()
    }
}
