import Foundation
import MigrationEngine

/// The `key-rotation` step, right after the approval: a last staging pass, the coverage proof
/// on the staged feed, then the client index swapped in one atomic write. Nothing is
/// published when the proof does not hold.
public struct CutOverWorker: MigrationWorker {
    public let mirror: ClientMirror
    public let prover: CoverageProver
    public var name: String { "cut-over" }

    /// The proof failed: the swap did not happen.
    public struct CoverageMissing: Error, CustomStringConvertible {
        public let report: CoverageReport
        public var description: String { "the client index was not swapped: \(report.summary)" }
    }

    public init(mirror: ClientMirror, prover: CoverageProver) {
        self.mirror = mirror
        self.prover = prover
    }

    public func describePlannedWork() async throws -> String {
        "stage the last national files, prove coverage, then swap \(mirror.indexPath) to the national feed in one atomic write "
            + "(the state's index is kept as \(mirror.previousIndexPath))"
    }

    public func isDone() async throws -> Bool { try await mirror.publishedIndexIsOurs() }

    /// The staging and the proof taken while the run waited count when nothing changed since:
    /// then the swap costs a few small reads, well under a second after the approval.
    public func apply() async throws {
        if try await !mirror.isStaged() { try await mirror.stage() }
        if try await !prover.stillHolds() {
            let report = try await prover.prove()
            guard report.holds else { throw CoverageMissing(report: report) }
        }
        try await mirror.publish()
    }

    /// The swap time, so status can tell the cut-over latency from the approval.
    public func journalDetail() async -> [String: String] {
        guard let swappedAt = try? MirrorState.load(from: mirror.stateFile).swappedAt else { return [:] }
        return ["swappedAt": String(swappedAt.timeIntervalSince1970)]
    }

    public func verify() async throws {
        guard try await mirror.publishedIndexIsOurs() else { throw MirrorError.indexRewritten(path: mirror.indexPath) }
    }
}
