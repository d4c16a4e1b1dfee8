import ExposureExport
import Foundation
import MigrationEngine
import MigrationStoreContracts

/// Before `key-rotation`: no part of the pipeline still owes a file. A client file dual-export
/// has not re-signed (new, or waiting for a retry), imported keys due in the national feed but
/// in no file yet, a national file assigned but not written,
/// a national file not yet staged in the client mirror: each keeps the gate shut, named, since
/// the keys it carries are not yet where phones will read them.
public struct PipelineDrainedCheck: MigrationCheck {
    /// Dual-export from the client feed, when the plan has it.
    public let resigner: FeedResigner?
    /// The national export, when enmigrate writes the national feed.
    public let nationalExport: FeedExportWriter?
    /// The client mirror the swap publishes.
    public let mirror: ClientMirror
    /// Losses operators accepted: a client file whose loss is accepted is owed no longer.
    public let acceptedLosses: @Sendable () async throws -> [LossAcceptance]
    public var name: String { "pipeline-drained" }

    public init(
        resigner: FeedResigner?, nationalExport: FeedExportWriter?, mirror: ClientMirror,
        acceptedLosses: @escaping @Sendable () async throws -> [LossAcceptance] = { [] }
    ) {
        self.resigner = resigner
        self.nationalExport = nationalExport
        self.mirror = mirror
        self.acceptedLosses = acceptedLosses
    }

    public func evaluate() async -> CheckResult {
        var owed: [String] = []
        do {
            if let resigner {
                let accepted = Set(try await acceptedLosses().map(\.file))
                let waiting = try await resigner.entriesStillOwed().filter { !accepted.contains($0) }
                if !waiting.isEmpty { owed.append("dual-export has not re-signed \(waiting.count) client files: \(Self.list(waiting))") }
            }
            if let nationalExport {
                let due = try await nationalExport.keyStore.unassignedKeyCount(cutoff: nationalExport.environment.now())
                if due > 0 { owed.append("\(due) imported keys are due in the national feed but in no national file yet") }
                let unwritten = try await nationalExport.keyStore.nationalFiles().filter { !$0.isWritten }.map(\.name)
                if !unwritten.isEmpty { owed.append("\(unwritten.count) national files are assigned but not written: \(Self.list(unwritten))") }
            }
            do {
                let unstaged = try await mirror.unstagedEntries()
                if !unstaged.isEmpty { owed.append("\(unstaged.count) national files are not staged in the client mirror: \(Self.list(unstaged))") }
            } catch BlobStoreError.notFound(let path) where path == mirror.sourceIndexPath {
                owed.append("the national feed has no index yet (\(path))")
            }
        } catch let error as BlobStoreError {
            return CheckResult(name: name, outcome: .inconclusive, reason: "\(error)")
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(error)")
        }
        guard owed.isEmpty else {
            return CheckResult(name: name, outcome: .pending, reason: owed.joined(separator: "; ") + "; the next pass of apply does that work")
        }
        return CheckResult(name: name, outcome: .passed, reason: "every client file re-signed or quarantined, every national file written and staged")
    }

    static func list(_ names: [String]) -> String {
        names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
    }
}
