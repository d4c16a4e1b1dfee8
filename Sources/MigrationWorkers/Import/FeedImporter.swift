import Crypto
import ExposureExport
import Foundation
import MigrationEngine
import MigrationStoreContracts

/// The export-importer: reads the second feed's index, and imports every file not yet imported
/// or failed, in index order. Files download and verify in parallel (up to `concurrency`) while
/// each file's keys and status commit in one transaction, in index order.
///
/// Unlike the reference importer: a non-200 or oversized index is an error (not an empty index);
/// a transient failure leaves the file `retrying` (tried again next pass), a permanent one marks
/// it `failed` with the reason and never imports a key from it; a trusted key's `from` is
/// enforced; one bad revision rejects that key only.
public struct FeedImporter: Sendable {
    /// Where the second feed is read.
    public let feed: any BlobStore
    /// The index's path in `feed` (`<root>/index.txt`).
    public let indexPath: String
    /// The feed's root folder; index entries must stay inside it.
    public let root: String
    /// The keys files must verify with.
    public let trustedKeys: TrustedStateKeySet
    /// How keys become stored rows.
    public let transform: ImportedKeyTransform
    /// The national key store.
    public let keyStore: any ExposureKeyStore
    /// Parallel downloads.
    public let concurrency: Int
    /// Retries of transient failures within a pass.
    public let retry: TransientRetry
    /// Archive limits.
    public let limits: ExportLimits
    /// How far in the future a file may end before it is imported with a warning
    /// (see ``ImportedFileCheck``).
    public var clockSkew: TimeInterval = 600
    public let environment: WorkerEnvironment
    /// Set when replicas share the import: files are claimed a few at a time
    /// (``ExposureKeyStore/claimImportFiles(_:limit:owner:until:now:)``), so each is imported
    /// by one replica, and the replicas together go about as fast as their downloads allow.
    public var sharing: ImportSharing?

    public init(
        feed: any BlobStore, indexPath: String, root: String, trustedKeys: TrustedStateKeySet, transform: ImportedKeyTransform,
        keyStore: any ExposureKeyStore, concurrency: Int = 4, retry: TransientRetry = .init(), limits: ExportLimits = .default,
        environment: WorkerEnvironment = .init()
    ) {
        self.feed = feed
        self.indexPath = indexPath
        self.root = root
        self.trustedKeys = trustedKeys
        self.transform = transform
        self.keyStore = keyStore
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.limits = limits
        self.environment = environment
    }

    /// The second feed's index, checked: sorted, no duplicates, every entry inside the root.
    public func index() async throws -> ExportIndex {
        try await RetryingReader(store: feed, retry: retry, sleep: environment.sleep).index(at: indexPath).index
    }

    /// Index entries neither imported nor failed for good, in index order.
    public func pendingEntries(of index: ExportIndex) async throws -> [String] {
        let settled = Set(try await keyStore.importFiles().filter { $0.status != .retrying }.map(\.url))
        return index.entries.filter { !settled.contains($0) }
    }

    /// One pass over the index. When sharing, only the files this replica claims; the others'
    /// are listed in ``ImportPassSummary/claimedElsewhere``.
    @discardableResult
    public func runPass() async throws -> ImportPassSummary {
        let index = try await index()
        let republished = try await reopenRepublished(in: index)
        let pending = try await pendingEntries(of: index)
        var summary = ImportPassSummary()
        summary.indexEntries = index.entries.count
        summary.republished = republished
        guard let sharing else {
            summary.attempted = pending.count
            try await importEntries(pending, progress: (0, pending.count), into: &summary)
            return summary
        }
        for owner in try await keyStore.importClaimOwners(now: environment.now()) where owner != sharing.owner && sharing.isGone(owner) {
            try await keyStore.releaseImportClaims(owner: owner)
        }
        var rest = pending
        while !rest.isEmpty {
            let now = environment.now()
            let claimed = try await keyStore.claimImportFiles(
                rest, limit: concurrency * 4, owner: sharing.owner,
                until: now.addingTimeInterval(sharing.claimSeconds), now: now)
            if claimed.isEmpty { break }
            try await importEntries(claimed, progress: (summary.attempted, pending.count), into: &summary)
            summary.attempted += claimed.count
            let done = Set(claimed)
            rest.removeAll { done.contains($0) }
        }
        // What is left was claimed by another replica; some of it may be settled by now.
        let stillPending = Set(try await pendingEntries(of: index))
        summary.claimedElsewhere = rest.filter { stillPending.contains($0) }
        return summary
    }

    /// Imports `entries` in their order: downloads and checks up to `concurrency` at once, and
    /// commits the ones in flight together, in order. `progress` is where they sit in the pass.
    private func importEntries(_ pending: [String], progress: (before: Int, total: Int), into summary: inout ImportPassSummary) async throws {
        guard !pending.isEmpty else { return }
        try await withThrowingTaskGroup(of: (Int, PreparedFile).self) { group in
            var launched = 0
            var committed = 0
            var ready: [Int: PreparedFile] = [:]
            func launch() {
                let position = launched
                let entry = pending[position]
                group.addTask { (position, await prepare(entry)) }
                launched += 1
            }
            // Downloaded-but-uncommitted files count against the window, so memory stays bounded
            // by twice `concurrency` files however long the index is.
            while launched < min(concurrency, pending.count) { launch() }
            while let (position, prepared) = try await group.next() {
                ready[position] = prepared
                // The files in flight commit together once all are ready, in index order: one
                // transaction instead of one per file halves a large import (each commit rewrites
                // the B-tree pages its random keys touched); a crash re-processes at most them.
                guard (committed..<launched).allSatisfy({ ready[$0] != nil }) else { continue }
                let run = (committed..<launched).compactMap { ready.removeValue(forKey: $0) }
                // The next files download while this group commits.
                while launched < min(committed + run.count + concurrency, pending.count) { launch() }
                try await commit(run, into: &summary)
                committed += run.count
                environment.report(
                    .progress(
                        worker: "export-importer", done: progress.before + committed, total: progress.total, keys: summary.keysInserted,
                        detail: "\(summary.keysInserted) keys imported"))
            }
        }
    }

    /// A downloaded and checked file, ready to commit.
    enum PreparedFile: Sendable {
        case ready(FileImport)
        case failed(entry: String, reason: String)
        case retrying(entry: String, reason: String)
    }

    /// Imported files the feed now serves with other content under the same name (a state that
    /// republished a file): put back in the queue, so its new keys and revisions are imported;
    /// keys already stored stay. Judged by the feed's cheap content version (a local file's
    /// inode, size and time; an HTTP ETag), recorded at import; files without one are not checked.
    func reopenRepublished(in index: ExportIndex) async throws -> [String] {
        let listed = Set(index.entries)
        var reopened: [String] = []
        for record in try await keyStore.importFiles() where record.status == .imported && listed.contains(record.url) {
            guard let before = record.sourceVersion, let now = try? await feed.version(of: record.url), now != before else { continue }
            try await keyStore.reopenImportFile(
                url: record.url, reason: "republished under the same name with other content; imported again",
                at: environment.now())
            environment.report(
                .fileProblem(
                    worker: "export-importer", file: record.url,
                    reason: "republished under the same name with other content; importing it again", permanent: false))
            reopened.append(record.url)
        }
        return reopened
    }

    /// Downloads (with retries), verifies, decodes and transforms one file. Never throws: every
    /// problem becomes a failed or retrying result naming the file.
    func prepare(_ entry: String) async -> PreparedFile {
        let data: Data
        // The version before the read: if the file changes during it, the next pass sees a
        // version other than the one recorded and reads it again.
        let version = try? await feed.version(of: entry)
        do {
            data = try await RetryingReader(store: feed, retry: retry, sleep: environment.sleep).read(entry)
        } catch let error as BlobStoreError {
            return error.isTransient ? .retrying(entry: entry, reason: error.description) : .failed(entry: entry, reason: error.description)
        } catch {
            return .retrying(entry: entry, reason: "\(error)")
        }
        let now = environment.now()
        do {
            let archive = try ExportArchive.read(zip: data, name: entry, limits: limits)
            if let refusal = trustedKeys.refusal(verifying: archive, at: now) {
                return refusal.retryLater ? .retrying(entry: entry, reason: refusal.reason) : .failed(entry: entry, reason: refusal.reason)
            }
            let contents = try archive.contents(limits: limits)
            let check = ImportedFileCheck(region: transform.fileRegion, clockSkew: clockSkew)
            if let refusal = check.refusal(contents) { return .failed(entry: entry, reason: "\(entry): \(refusal)") }
            var keys: [StoredKey] = []
            keys.reserveCapacity(contents.keys.count)
            // Every refused key is counted under its rule, so none vanishes without a word.
            var refused: [RefusedKeys] = []
            func refuse(_ rejection: ImportedKeyTransform.Rejection) {
                refused.append(RefusedKeys(code: rejection.code, reason: rejection.reason, count: 1))
            }
            for key in contents.keys {
                switch transform.primaryKey(key, now: now) {
                case .success(let stored): keys.append(stored)
                case .failure(let rejection): refuse(rejection)
                }
            }
            var revisions: [KeyRevision] = []
            for key in contents.revisedKeys {
                switch transform.revision(key) {
                case .success(let revision)?: revisions.append(revision)
                case .failure(let rejection)?: refuse(rejection)
                case nil: break
                }
            }
            return .ready(
                FileImport(
                    url: entry, digest: archive.exportBin.sha256Hex, keys: keys, revisions: revisions,
                    refusedKeys: RefusedKeys.merged(refused), note: check.futureNote(contents, keys: keys, now: now),
                    sourceVersion: version))
        } catch {
            return .failed(entry: entry, reason: "\(error)")
        }
    }

    /// Commits consecutive files in index order: verified ones in one transaction, failures
    /// recorded in their place.
    private func commit(_ run: [PreparedFile], into summary: inout ImportPassSummary) async throws {
        let now = environment.now()
        var batch: [FileImport] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let outcomes = try await keyStore.importBatch(batch, at: now)
            summary.imported += batch.count
            for (file, outcome) in zip(batch, outcomes) where !outcome.alreadyImported {
                summary.keysInserted += outcome.inserted
                summary.keysRevised += outcome.revised
                let refused = RefusedKeys.merged(file.refusedKeys + outcome.refusedRevisions)
                summary.keysRejected += refused.total
                if !refused.isEmpty { summary.refusedKeys[file.url] = refused }
                if let note = file.note { summary.warnings.append(FileProblem(file: file.url, reason: note)) }
            }
            batch = []
        }
        for prepared in run {
            switch prepared {
            case let .ready(file):
                batch.append(file)
            case let .failed(entry, reason):
                try await flush()
                try await keyStore.recordFailure(url: entry, reason: reason, at: now)
                summary.failed.append(FileProblem(file: entry, reason: reason))
            case let .retrying(entry, reason):
                try await flush()
                try await keyStore.recordRetry(url: entry, reason: reason, at: now)
                summary.retrying.append(FileProblem(file: entry, reason: reason))
            }
        }
        try await flush()
    }
}
