import Foundation
import MigrationEngine
import MigrationStoreContracts

/// After the swap: every key of the state's feed as the proof saw it before the cut-over that
/// phones can still match is found by reading the state's client index the way phones now
/// read it, with the national key. Keys whose rolling period ended more than 14 days ago are
/// not looked for (the national feed drops them, as it should); an unreadable file makes the
/// check inconclusive.
public struct CutOverCoverageCheck: MigrationCheck {
    /// The client index on the state's CDN, read with the national key.
    public let clientMirror: PhoneFeedReader
    /// The state's key set saved before the cut-over.
    public let snapshot: CoverageBaseline
    /// The losses operators accepted (from the journal).
    public let acceptedLosses: @Sendable () async throws -> [LossAcceptance]
    public var name: String { "coverage-after-cut-over" }

    public init(clientMirror: PhoneFeedReader, snapshot: CoverageBaseline, acceptedLosses: @escaping @Sendable () async throws -> [LossAcceptance] = { [] }) {
        self.clientMirror = clientMirror
        self.snapshot = snapshot
        self.acceptedLosses = acceptedLosses
    }

    /// What phones read, in the report's words.
    public static let target = "the client index phones read"

    /// The saved state set against the client index as phones read it now.
    public func report() async throws -> CoverageReport {
        let before = try CoverageSnapshot.read(from: snapshot)
        return CoverageReport.compare(
            state: before, national: try await clientMirror.read(worker: "coverage (client index)"),
            accepted: try await acceptedLosses(), owedAt: clientMirror.environment.now())
    }

    public func evaluate() async -> CheckResult {
        do {
            let report = try await report()
            return CheckResult(name: name, outcome: CoverageCheck.outcome(report.verdict), reason: report.summary(comparedWith: Self.target))
        } catch let error as BlobStoreError where error.isTransient {
            return CheckResult(name: name, outcome: .inconclusive, reason: "\(error)")
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(error)")
        }
    }
}
