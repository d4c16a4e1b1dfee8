import MigrationEngine
import MigrationStoreContracts

/// Keeps the coverage proof fresh while the run waits for the key-rotation approval: each pass
/// proves again when either index changed, so the cut-over itself only has to compare two
/// index digests. A proof that does not hold is not a failure here; the `coverage` check and
/// the cut-over step refuse to go on.
public struct CoverageProofWorker: MigrationWorker {
    public let prover: CoverageProver
    public var name: String { "coverage-proof" }

    public init(prover: CoverageProver) {
        self.prover = prover
    }

    public func describePlannedWork() async throws -> String {
        "read the state's client feed and the national feed like a phone and compare their keys"
    }

    public func isDone() async throws -> Bool { (try? await prover.stillHolds()) ?? false }

    /// A feed without an index yet (the national feed before its first export) leaves the
    /// proof to the check, which waits for it.
    public func apply() async throws {
        do {
            if try await !prover.stillHolds() { _ = try await prover.prove() }
        } catch BlobStoreError.notFound {
            return
        }
    }

    public func verify() async throws {}
    public func steadyPass() async throws { try await apply() }
}
