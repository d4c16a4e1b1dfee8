import ExposureExport
import Foundation
import MigrationStores

/// Reads a feed the way a phone does: fetch the index, download every file, verify it with the
/// one key the phone holds (key id and version from export.sig must match), decode the keys.
/// Files download in parallel and are added in index order.
public struct PhoneFeedReader: Sendable {
    /// The store the index's lines are relative to.
    public let store: any BlobStore
    /// The index's path in `store` (`<root>/index.txt`).
    public let indexPath: String
    /// The key the phone verifies with.
    public let key: TrustedKey
    public let concurrency: Int
    public let retry: TransientRetry
    public let limits: ExportLimits
    public let environment: WorkerEnvironment

    public init(store: any BlobStore, indexPath: String, key: TrustedKey, concurrency: Int = 4, retry: TransientRetry = .init(),
                limits: ExportLimits = .default, environment: WorkerEnvironment = .init()) {
        self.store = store
        self.indexPath = indexPath
        self.key = key
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.limits = limits
        self.environment = environment
    }

    /// The index, checked (sorted, no duplicates, entries inside the root).
    public func index() async throws -> ExportIndex {
        try await reader.index(at: indexPath).index
    }

    /// SHA-256 (hex) of the index as served: a proof taken on the same index still holds,
    /// since published files are never rewritten under the same name.
    public func indexDigest() async throws -> String {
        try await reader.read(indexPath).sha256Hex
    }

    private var reader: RetryingReader { RetryingReader(store: store, retry: retry, sleep: environment.sleep) }

    /// Every key of every file that verifies. Throws only when the index cannot be read.
    public func read(worker: String = "coverage") async throws -> FeedKeySet {
        let (index, data) = try await reader.index(at: indexPath)
        let entries = index.entries
        var set = FeedKeySet()
        set.indexDigest = data.sha256Hex
        try await withThrowingTaskGroup(of: (Int, Result<[DiagnosisKeyID], FileProblem>).self) { group in
            var launched = 0
            var added = 0
            var done: [Int: Result<[DiagnosisKeyID], FileProblem>] = [:]
            func launch() {
                let position = launched
                let entry = entries[position]
                group.addTask { (position, await keys(of: entry)) }
                launched += 1
            }
            while launched < min(concurrency, entries.count) { launch() }
            while let (position, result) = try await group.next() {
                done[position] = result
                while let next = done.removeValue(forKey: added) {
                    switch next {
                    case .success(let keys): set.add(file: entries[added], keys: keys)
                    case .failure(let problem): set.failedFiles.append(problem)
                    }
                    added += 1
                    environment.report(.progress(worker: worker, done: added, total: entries.count, detail: "\(set.keys.count) keys read from \(indexPath)"))
                    if launched < entries.count { launch() }
                }
            }
        }
        return set
    }

    /// The keys of one file, or why it does not count.
    func keys(of entry: String) async -> Result<[DiagnosisKeyID], FileProblem> {
        do {
            let data = try await reader.read(entry)
            let archive = try ExportArchive.read(zip: data, name: entry, limits: limits)
            _ = try ExportVerifier(trustedKeys: [key], policy: .phone).verify(archive)
            return .success(try archive.contents(limits: limits).keys.compactMap { DiagnosisKeyID($0.keyData) })
        } catch {
            return .failure(FileProblem(file: entry, reason: "\(error)"))
        }
    }
}
