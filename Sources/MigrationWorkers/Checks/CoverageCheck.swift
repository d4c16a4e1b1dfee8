import Foundation
import MigrationEngine
import MigrationStoreContracts

/// Before `key-rotation`: every key of the state's client feed that a phone can get is in the
/// national feed (``CoverageProver``). Files a phone rejects are listed, not counted; a listed
/// file that could not be read makes the check inconclusive, never passed.
public struct CoverageCheck: MigrationCheck {
    public let prover: CoverageProver
    public var name: String { "coverage" }

    public init(prover: CoverageProver) {
        self.prover = prover
    }

    public func evaluate() async -> CheckResult {
        do {
            if let proof = try await prover.standingProof() {
                var reason =
                    "all \(proof.keys) state keys (sha256 \(proof.digest.prefix(12))…) are in the national feed; "
                    + "no index or file changed since that proof"
                if !proof.acceptedLosses.isEmpty { reason += "; " + CoverageReport.acceptedLine(proof.acceptedLosses) }
                if !proof.stateRejected.isEmpty {
                    reason +=
                        "; LEFT OUT: \(proof.stateRejected.count) state files fail a phone's verification (phones reject them too): "
                        + proof.stateRejected.prefix(3).map(\.description).joined(separator: "; ")
                }
                return CheckResult(name: name, outcome: .passed, reason: reason)
            }
            let report = try await prover.prove()
            return CheckResult(name: name, outcome: Self.outcome(report.verdict), reason: report.summary)
        } catch BlobStoreError.notFound(let path) {
            return CheckResult(name: name, outcome: .pending, reason: "\(path) does not exist yet")
        } catch let error as BlobStoreError {
            return CheckResult(name: name, outcome: .inconclusive, reason: "\(error); the proof needs both indexes")
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(error)")
        }
    }

    /// A proof's verdict as a check outcome.
    static func outcome(_ verdict: CoverageReport.Verdict) -> CheckResult.Outcome {
        switch verdict {
        case .holds: .passed
        case .fails: .failed
        case .inconclusive: .inconclusive
        }
    }
}
