import Foundation
import MigrationEngine

/// The `key-rotation` step, right after the approval: a last staging pass, the coverage proof
/// on the staged feed, the baseline sealed, then the client index swapped in one atomic write.
/// Just before the swap every staged file is verified again with the national key the plan
/// names now, the staged index must be exactly the one the proof covered, and the national key
/// must be the one the rotation request asked Apple/Google to trust. Nothing is published
/// when any of that fails.
public struct CutOverWorker: MigrationWorker {
    public let mirror: ClientMirror
    public let prover: CoverageProver
    /// The rotation request's folder, whose `request.json` names the key phones will hold.
    public let rotationRequest: URL?
    /// The recurring work before the cut-over (dual-export, import, national export), passed
    /// once when something changed since the last proof: a state file published after the last
    /// waiting pass reaches the national feed before the swap instead of failing it for good.
    public let catchUp: [any MigrationWorker]
    /// Runs immediately before the swap (the plan's `before-cut-over` hooks); when it throws,
    /// the client index is not swapped and the step fails with its reason.
    public var beforeSwap: @Sendable () async throws -> Void = {}
    public var name: String { "cut-over" }

    /// A `before-cut-over` hook said no: the swap did not happen.
    public struct HookRefused: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "the client index was not swapped: the before-cut-over hook failed: \(reason)" }
    }

    /// The proof failed: the swap did not happen.
    public struct CoverageMissing: Error, CustomStringConvertible {
        public let report: CoverageReport
        public var description: String { "the client index was not swapped: \(report.summary)" }
    }

    /// No baseline to swap on (the proof has never held).
    public struct NoBaseline: Error, CustomStringConvertible {
        public var description: String { "the client index was not swapped: no coverage proof has held yet" }
    }

    public init(mirror: ClientMirror, prover: CoverageProver, rotationRequest: URL? = nil, catchUp: [any MigrationWorker] = []) {
        self.mirror = mirror
        self.prover = prover
        self.rotationRequest = rotationRequest
        self.catchUp = catchUp
    }

    public func describePlannedWork() async throws -> String {
        "stage the last national files, prove coverage, then swap \(mirror.indexPath) to the national feed in one atomic write "
            + "(the state's index is kept as \(mirror.previousIndexPath))"
    }

    public func isDone() async throws -> Bool { try await mirror.publishedIndexIsOurs() }

    /// The staging and the proof taken while the run waited count when nothing changed since:
    /// then the swap costs a few small reads and one pass over the staged files.
    public func apply() async throws {
        try checkRotationKey()
        if try baseline()?.sealedAt == nil {
            let ready = try await mirror.isStaged() ? try await prover.stillHolds() : false
            if !ready {
                for worker in catchUp { try await worker.steadyPass() }
                try await mirror.stage()
                let report = try await prover.prove()
                guard report.holds else { throw CoverageMissing(report: report) }
            }
            // From here on the baseline is frozen: a crash after the swap must never let a proof
            // read the national files in the client index as the state's.
            let current = (try? await mirror.destination.read(mirror.indexPath))?.sha256Hex ?? ""
            try prover.sealBaseline(now: mirror.environment.now(), replacing: current)
        }
        guard let proof = try baseline() else { throw NoBaseline() }
        let (staged, sizes) = try await mirror.verifiedStagedIndexAndSizes(listing: proof.nationalFiles)
        do { try await beforeSwap() } catch { throw HookRefused(reason: "\(error)") }
        // Only over the index sealed with the baseline, or this swap's own result after a crash
        // right after the write: a client index someone else wrote since is never overwritten.
        try await mirror.publish(staged, replacing: [proof.replacedIndexDigest ?? proof.stateIndexDigest, staged.sha256Hex], sizes: sizes)
    }

    private func baseline() throws -> CoverageSnapshot.Proof? {
        try prover.snapshot.flatMap(CoverageSnapshot.proof(in:))
    }

    /// The key in the rotation request is the key the files are verified with now.
    private func checkRotationKey() throws {
        guard let folder = rotationRequest, let requested = RotationRequest.writtenFingerprint(in: folder) else { return }
        let now = mirror.nationalKey.publicKey.fingerprint.description
        guard requested == now else { throw MirrorError.rotationKeyChanged(requested: requested, now: now) }
    }

    /// The swap time, so status can tell the cut-over latency from the approval.
    public func journalDetail() async -> [String: String] {
        guard let state = try? MirrorState.load(from: mirror.state), let swappedAt = state.swappedAt else { return [:] }
        var detail = ["swappedAt": String(swappedAt.timeIntervalSince1970)]
        if let downloads = state.swapDownloads { detail["phoneDownloads"] = downloads.summary }
        return detail
    }

    public func verify() async throws {
        guard try await mirror.publishedIndexIsOurs() else { throw MirrorError.indexRewritten(path: mirror.indexPath) }
    }
}
