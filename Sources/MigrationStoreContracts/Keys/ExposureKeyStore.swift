import Foundation

/// The national key store: keys, the second-feed files they came from, and the national files
/// they were exported in.
public protocol ExposureKeyStore: Sendable {
    /// Imports several files in one transaction, in order: for each, inserts its keys, applies
    /// its revisions and records it as imported, so a crash never leaves a file half imported.
    /// Keys already stored (from any file) are skipped and not counted; a refused revision is
    /// reported and the rest goes on. Importing a file already imported changes nothing.
    /// One outcome per file, in order. (One commit per file costs a million-key import about
    /// twice its time: each commit rewrites the B-tree pages its random keys touched.)
    func importBatch(_ files: [FileImport], at: Date) async throws -> [ImportOutcome]
    /// Records that `url` failed (`.failed`, for good) or waits for a retry (`.retrying`), with
    /// the reason and one more attempt. A file whose keys are stored stays imported.
    func recordProblem(url: String, status: ImportFileRecord.Status, reason: String, at: Date) async throws
    /// Every file the store has a record of, by URL.
    func importFiles() async throws -> [ImportFileRecord]
    /// Puts an imported file back in the queue (`retrying`, with `reason`): it was republished
    /// under its name with other content. Its stored keys stay; the next import adds the new ones.
    func reopenImportFile(url: String, reason: String, at: Date) async throws
    /// Claims for `owner`, until `until`, up to `limit` of `urls` (taken in their order) that
    /// are neither imported nor failed for good and not claimed by another owner past `now`;
    /// returns them. Replicas sharing an import claim files this way, so two never import the
    /// same file at once; a claim of a replica that died lapses at its expiry.
    func claimImportFiles(_ urls: [String], limit: Int, owner: String, until: Date, now: Date) async throws -> [String]
    /// Owners holding claims that run past `now`.
    func importClaimOwners(now: Date) async throws -> Set<String>
    /// Drops every claim of `owner` (a replica known to be gone), so others take its files at once.
    func releaseImportClaims(owner: String) async throws
    /// Number of keys stored.
    func keyCount() async throws -> Int
    /// The stored key with these bytes, if any.
    func key(_ keyData: Data) async throws -> StoredKey?

    /// Assigns every key created at or before `cutoff` that is in no national file yet to the
    /// files of one new batch (``NationalBatchLayout``), in one transaction, and returns them.
    /// In the same transaction, every revision applied at or before `cutoff` to a key that is
    /// in a national file (an earlier one or one of this batch) and whose revision is in none
    /// yet goes to the batch's last file, so phones get it as a revised key; a batch of
    /// revisions alone is one file without primary keys.
    func assignNationalFiles(root: String, maxKeysPerFile: Int, cutoff: Date) async throws -> [NationalFileRecord]
    /// Every national file, by name.
    func nationalFiles() async throws -> [NationalFileRecord]
    /// Keys created at or before `cutoff` that are in no national file yet, and revisions applied
    /// by then to exported keys that are in no national file yet.
    func unassignedKeyCount(cutoff: Date) async throws -> Int
    /// The keys assigned to the national file `name`, sorted by key bytes.
    func keys(inNationalFile name: String) async throws -> [StoredKey]
    /// The keys whose revision is assigned to the national file `name` (each with its
    /// ``StoredKey/revision``), sorted by key bytes.
    func revisedKeys(inNationalFile name: String) async throws -> [StoredKey]
    /// Records that the national file `name` is written, with its export.bin digest.
    func markNationalFileWritten(name: String, digest: String) async throws
}

extension ExposureKeyStore {
    /// Records a permanent failure for `url` (bad signature, malformed archive); no key from it is stored.
    public func recordFailure(url: String, reason: String, at: Date) async throws {
        try await recordProblem(url: url, status: .failed, reason: reason, at: at)
    }

    /// Records a transient failure for `url` (timeout, 5xx, 404): the next pass tries again.
    public func recordRetry(url: String, reason: String, at: Date) async throws {
        try await recordProblem(url: url, status: .retrying, reason: reason, at: at)
    }

    /// Imports one file in its own transaction (see ``importBatch(_:at:)``).
    public func importFile(url: String, digest: String, keys: [StoredKey], revisions: [KeyRevision], at: Date) async throws -> ImportOutcome {
        try await importBatch([FileImport(url: url, digest: digest, keys: keys, revisions: revisions)], at: at).first ?? ImportOutcome()
    }

    /// Imports a file without revisions; returns the number of keys newly stored.
    public func importFile(url: String, digest: String, keys: [StoredKey], at: Date) async throws -> Int {
        try await importFile(url: url, digest: digest, keys: keys, revisions: [], at: at).inserted
    }
}
