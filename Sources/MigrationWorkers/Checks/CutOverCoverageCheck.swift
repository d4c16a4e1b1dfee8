import Foundation
import MigrationEngine

/// After the swap: every key of the state's feed as the proof saw it before the cut-over is
/// found by reading the state's client index the way phones now read it, with the national key.
public struct CutOverCoverageCheck: MigrationCheck {
    /// The client index on the state's CDN, read with the national key.
    public let clientMirror: PhoneFeedReader
    /// The state's key set saved before the cut-over.
    public let snapshot: URL
    public var name: String { "coverage-after-cut-over" }

    public init(clientMirror: PhoneFeedReader, snapshot: URL) {
        self.clientMirror = clientMirror
        self.snapshot = snapshot
    }

    /// What phones read, in the report's words.
    public static let target = "the client index phones read"

    /// The saved state set against the client index as phones read it now.
    public func report() async throws -> CoverageReport {
        let before = try CoverageSnapshot.read(from: snapshot)
        return CoverageReport.compare(state: before, national: try await clientMirror.read(worker: "coverage (client index)"))
    }

    public func evaluate() async -> CheckResult {
        do {
            let report = try await report()
            return CheckResult(name: name, outcome: report.holds ? .passed : .failed, reason: report.summary(comparedWith: Self.target))
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(error)")
        }
    }
}
