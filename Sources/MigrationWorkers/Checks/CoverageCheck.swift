import Foundation
import MigrationEngine
import MigrationStores

/// Before `key-rotation`: every key of the state's client feed that verifies is in the
/// national feed (``CoverageProver``). Files that do not verify are listed, not counted.
public struct CoverageCheck: MigrationCheck {
    public let prover: CoverageProver
    public var name: String { "coverage" }

    public init(prover: CoverageProver) {
        self.prover = prover
    }

    public func evaluate() async -> CheckResult {
        do {
            if let proof = try await prover.standingProof() {
                return CheckResult(name: name, outcome: .passed, reason: "all \(proof.keys) state keys (sha256 \(proof.digest.prefix(12))…) "
                    + "are in the national feed; neither index changed since that proof")
            }
            let report = try await prover.prove()
            return CheckResult(name: name, outcome: report.holds ? .passed : .failed, reason: report.summary)
        } catch BlobStoreError.notFound(let path) {
            return CheckResult(name: name, outcome: .pending, reason: "\(path) does not exist yet")
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(error)")
        }
    }
}
