import Foundation

/// Runs the coverage proof: the state's feed and the feed phones will read, each read the way
/// a phone reads it, compared by key bytes. When it holds before the cut-over, the state's key
/// set is saved (``CoverageSnapshot``) so the proof can run again on what phones read after it.
public struct CoverageProver: Sendable {
    /// The state's client feed, read with the state's client key.
    public let state: PhoneFeedReader
    /// The national feed, read with the national key.
    public let national: PhoneFeedReader
    /// Where the state's key set is saved when the proof holds (nil: not saved).
    public let snapshot: URL?

    public init(state: PhoneFeedReader, national: PhoneFeedReader, snapshot: URL?) {
        self.state = state
        self.national = national
        self.snapshot = snapshot
    }

    /// Reads both feeds and compares them; saves the state's set when the proof holds.
    public func prove() async throws -> CoverageReport {
        let stateKeys = try await state.read(worker: "coverage (state feed)")
        let nationalKeys = try await national.read(worker: "coverage (national feed)")
        let report = CoverageReport.compare(state: stateKeys, national: nationalKeys)
        if report.holds, let snapshot { try CoverageSnapshot.write(stateKeys, digest: report.state.digest, provenAgainst: nationalKeys.indexDigest, to: snapshot) }
        return report
    }

    /// Whether the last proof that held read exactly the indexes both feeds serve now (two
    /// small reads instead of every file: published files are never rewritten in place).
    public func stillHolds() async throws -> Bool {
        try await standingProof() != nil
    }

    /// The last proof that held, when both indexes are still the ones it read.
    public func standingProof() async throws -> CoverageSnapshot.Proof? {
        guard let snapshot, let proven = CoverageSnapshot.proof(at: snapshot) else { return nil }
        let stateNow = try await state.indexDigest()
        let nationalNow = try await national.indexDigest()
        return stateNow == proven.stateIndexDigest && nationalNow == proven.nationalIndexDigest ? proven : nil
    }
}
