import ExposureExport
import Foundation
import MigrationStoreContracts

/// Reads a feed the way a phone does: fetch the index, download every file, verify it with the
/// one key the phone holds (key id and version from export.sig must match), decode the keys.
/// Files download in parallel and are added in index order.
///
/// A file is *rejected* only when it was read whole and a phone would refuse it; a file that
/// could not be read (after the retries) is *unavailable*: what it holds is unknown, and a
/// proof over the set cannot hold. The two are never confused.
public struct PhoneFeedReader: Sendable {
    /// The store the index's lines are relative to.
    public let store: any BlobStore
    /// The index's path in `store` (`<root>/index.txt`).
    public let indexPath: String
    /// The key the phone verifies with.
    public let key: TrustedKey
    /// A key whose files must not be in this feed (the national key, when reading the state's
    /// client feed): a file that fails with ``key`` but verifies with it is listed in
    /// ``FeedKeySet/filesSignedWithForeignKey`` so the proof can refuse a feed already swapped.
    public var foreignKey: TrustedKey?
    public let concurrency: Int
    public let retry: TransientRetry
    public let limits: ExportLimits
    public let environment: WorkerEnvironment

    public init(
        store: any BlobStore, indexPath: String, key: TrustedKey, concurrency: Int = 4, retry: TransientRetry = .init(),
        limits: ExportLimits = .default, environment: WorkerEnvironment = .init()
    ) {
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

    /// SHA-256 (hex) of the index as served.
    public func indexDigest() async throws -> String {
        try await reader.read(indexPath).sha256Hex
    }

    private var reader: RetryingReader { RetryingReader(store: store, retry: retry, sleep: environment.sleep) }

    /// What one file turned out to be.
    enum FileResult: Sendable {
        case verified(keys: [FeedKeySet.FileKey], revised: [(id: DiagnosisKeyID, reportType: UInt8)], malformed: Int, version: String)
        case rejected(FileProblem, version: String, signedWithForeignKey: Bool)
        case unavailable(FileProblem)
    }

    /// Every key of every file that verifies. Throws only when the index cannot be read (or the
    /// task is cancelled); every file problem is recorded in the set. With `newest`, only the
    /// last that many files of the index are read (what phones fetch next; a watch's cheap look).
    public func read(worker: String = "coverage", newest: Int? = nil) async throws -> FeedKeySet {
        let (index, data) = try await reader.index(at: indexPath)
        let entries = newest.map { Array(index.entries.suffix($0)) } ?? index.entries
        var set = FeedKeySet()
        set.indexDigest = data.sha256Hex
        try await withThrowingTaskGroup(of: (Int, FileResult).self) { group in
            var launched = 0
            var added = 0
            var done: [Int: FileResult] = [:]
            func launch() {
                let position = launched
                let entry = entries[position]
                group.addTask { (position, try await result(of: entry)) }
                launched += 1
            }
            while launched < min(concurrency, entries.count) { launch() }
            while let (position, result) = try await group.next() {
                done[position] = result
                while let next = done.removeValue(forKey: added) {
                    let entry = entries[added]
                    switch next {
                    case let .verified(keys, revised, malformed, version):
                        // Room for every file's keys at once, judged by the first: growing a
                        // million-key dictionary by doubling rehashed it twenty times.
                        if set.keys.isEmpty { set.keys.reserveCapacity(keys.count * entries.count) }
                        set.add(file: entry, keys: keys, revised: revised, malformed: malformed, version: version)
                    case let .rejected(problem, version, foreign):
                        set.rejectedFiles.append(problem)
                        set.fileVersions[entry] = version
                        if foreign { set.filesSignedWithForeignKey.append(entry) }
                    case .unavailable(let problem): set.unavailableFiles.append(problem)
                    }
                    added += 1
                    environment.report(
                        .progress(
                            worker: worker, done: added, total: entries.count, keys: set.keys.count, detail: "\(set.keys.count) keys read from \(indexPath)"))
                    if launched < entries.count { launch() }
                }
            }
        }
        return set
    }

    /// The current identity of `entry`'s content: the store's own version when it has a cheap
    /// one, else the SHA-256 of its bytes.
    public func currentVersion(of entry: String) async throws -> String {
        if let version = try await store.version(of: entry) { return version }
        return "sha256:" + (try await reader.read(entry)).sha256Hex
    }

    /// Reads, verifies and decodes one file. Only cancellation is thrown.
    func result(of entry: String) async throws -> FileResult {
        let data: Data
        let version: String
        do {
            let before = try await store.version(of: entry)
            data = try await reader.read(entry)
            if let before {
                // A file replaced while it was read is not the file that was read.
                guard try await store.version(of: entry) == before else {
                    return .unavailable(FileProblem(file: entry, reason: "changed while it was read; read again on the next pass"))
                }
                version = before
            } else {
                version = "sha256:" + data.sha256Hex
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as BlobStoreError {
            return .unavailable(FileProblem(file: entry, reason: Self.unavailableReason(error)))
        } catch {
            return .unavailable(FileProblem(file: entry, reason: "cannot be read: \(error)"))
        }
        do {
            let archive = try ExportArchive.read(zip: data, name: entry, limits: limits)
            do {
                _ = try ExportVerifier(trustedKeys: [key], policy: .phone).verify(archive)
            } catch {
                let foreign = foreignKey.map { (try? ExportVerifier(trustedKeys: [$0], policy: .phone).verify(archive)) != nil } ?? false
                return .rejected(FileProblem(file: entry, reason: "\(error)"), version: version, signedWithForeignKey: foreign)
            }
            var keys: [FeedKeySet.FileKey] = []
            var malformed = 0
            let contents = try archive.contents(limits: limits)
            for key in contents.keys {
                guard let id = DiagnosisKeyID(key.keyData) else {
                    malformed += 1
                    continue
                }
                let end = key.rollingStartIntervalNumber.map { Int32(clamping: Int64($0) + Int64(key.rollingPeriod)) } ?? .max
                keys.append(FeedKeySet.FileKey(id: id, endInterval: end, reportType: UInt8(clamping: key.reportType ?? 0)))
            }
            let revised = contents.revisedKeys.compactMap { key in
                DiagnosisKeyID(key.keyData).map { ($0, UInt8(clamping: key.reportType ?? 0)) }
            }
            return .verified(keys: keys, revised: revised, malformed: malformed, version: version)
        } catch {
            return .rejected(FileProblem(file: entry, reason: "\(error)"), version: version, signedWithForeignKey: false)
        }
    }

    /// The store's words without the file name (the problem names the file already).
    static func unavailableReason(_ error: BlobStoreError) -> String {
        let text = error.description
        let prefix = "\(error.path): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }
}
