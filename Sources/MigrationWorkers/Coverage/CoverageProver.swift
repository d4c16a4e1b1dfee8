import ExposureExport
import Foundation
import MigrationEngine

/// Runs the coverage proof: the state's feed and the feed phones will read, each read the way
/// a phone reads it, compared by key bytes. When it holds before the cut-over, the state's key
/// set is saved with what was read (``CoverageSnapshot``), so the proof can stand without
/// reading every file again and can run after the swap against exactly that set.
public struct CoverageProver: Sendable {
    /// The state's client feed, read with the state's client key (national files in it are
    /// noticed: ``PhoneFeedReader/foreignKey`` is the national key).
    public let state: PhoneFeedReader
    /// The national feed, read with the national key.
    public let national: PhoneFeedReader
    /// Where the state's key set is saved when the proof holds (nil: not saved).
    public let snapshot: CoverageBaseline?
    /// The losses operators accepted (from the journal).
    public let acceptedLosses: @Sendable () async throws -> [LossAcceptance]

    /// The state's client index lists files signed with the national key: the cut-over already
    /// happened (or someone published national files there), so it is not the state's feed.
    public struct AlreadySwapped: Error, CustomStringConvertible {
        public let index: String
        public let files: [String]
        public var description: String {
            "\(index) already lists files signed with the national key (\(files.prefix(3).joined(separator: ", "))"
                + (files.count > 3 ? ", …" : "") + "): it is not the state's own feed any more, so it cannot be the baseline of the proof. "
                + "If the cut-over happened in an earlier run, recover that run's journal and baseline; if not, put the state's own index back first"
        }
    }

    /// The baseline was sealed for the swap: from then on the proof is never taken again
    /// before the cut-over (the state's index may already be the national one).
    public struct BaselineSealed: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path): the baseline was sealed for the cut-over; the proof before the swap is not taken again" }
    }

    public init(
        state: PhoneFeedReader, national: PhoneFeedReader, snapshot: CoverageBaseline?,
        acceptedLosses: @escaping @Sendable () async throws -> [LossAcceptance] = { [] }
    ) {
        var state = state
        state.foreignKey = national.key
        self.state = state
        self.national = national
        self.snapshot = snapshot
        self.acceptedLosses = acceptedLosses
    }

    /// Fingerprint of the national key the feed is read with now.
    public var nationalKeyFingerprint: String { national.key.publicKey.fingerprint.description }

    /// Reads both feeds and compares them; saves the state's set when the proof holds.
    public func prove() async throws -> CoverageReport {
        if let snapshot, try CoverageSnapshot.proof(in: snapshot)?.sealedAt != nil { throw BaselineSealed(path: snapshot.place) }
        let stateKeys = try await state.read(worker: "coverage (state feed)")
        if !stateKeys.filesSignedWithForeignKey.isEmpty { throw AlreadySwapped(index: state.indexPath, files: stateKeys.filesSignedWithForeignKey) }
        let nationalKeys = try await national.read(worker: "coverage (national feed)")
        let report = CoverageReport.compare(state: stateKeys, national: nationalKeys, accepted: try await acceptedLosses())
        if report.holds, let snapshot {
            try CoverageSnapshot.write(
                stateKeys, digest: report.state.digest, national: nationalKeys,
                nationalKeyFingerprint: nationalKeyFingerprint, acceptedLosses: report.accepted.map(\.description), to: snapshot)
        }
        return report
    }

    /// Whether the last proof that held still stands (see ``standingProof()``).
    public func stillHolds() async throws -> Bool {
        try await standingProof() != nil
    }

    /// The last proof that held, when it still describes what both feeds serve: the same two
    /// indexes, every file the same content (by ``BlobStore/version(of:)`` or digest, so a
    /// file republished under its old name is noticed), read with the same national key.
    public func standingProof() async throws -> CoverageSnapshot.Proof? {
        guard let snapshot, let proven = try CoverageSnapshot.proof(in: snapshot) else { return nil }
        guard proven.nationalKeyFingerprint == nationalKeyFingerprint else { return nil }
        guard try await state.indexDigest() == proven.stateIndexDigest, try await national.indexDigest() == proven.nationalIndexDigest else { return nil }
        for (reader, versions) in [(state, proven.stateFileVersions), (national, proven.nationalFileVersions)] {
            for (file, version) in versions {
                guard (try? await reader.currentVersion(of: file)) == version else { return nil }
            }
        }
        return proven
    }

    /// Seals the baseline for the swap (see ``CoverageSnapshot``), with the digest of the
    /// client index the swap will replace.
    public func sealBaseline(now: Date, replacing clientIndexDigest: String) throws {
        guard let snapshot else { return }
        try CoverageSnapshot.seal(snapshot, now: now, replacing: clientIndexDigest)
    }
}
