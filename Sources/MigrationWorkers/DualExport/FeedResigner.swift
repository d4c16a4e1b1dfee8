import Crypto
import ExposureExport
import Foundation
import MigrationStoreContracts

/// Dual-export from the client feed: every file of the state's client index is verified with
/// the client key, re-signed with the second-feed key and published under the second feed's
/// root with the same file name; the second index is written last. A file that fails
/// verification is never re-signed or copied (that would launder tampering): it is quarantined
/// with its reason, and so is a file still unreadable after the retries; the pass goes on.
public struct FeedResigner: Sendable {
    /// Where the client feed is read.
    public let source: any BlobStore
    /// The client index's path in `source`.
    public let sourceIndexPath: String
    /// The key phones verify client files with.
    public let clientKey: TrustedKey
    /// Where the second feed is published.
    public let destination: any BlobStore
    /// The second feed's root folder.
    public let destinationRoot: String
    /// Signs with the second-feed key.
    public let signer: ExportSigner
    /// What is published or quarantined.
    public let ledger: any PublishLedger
    /// Parallel downloads.
    public let concurrency: Int
    /// Retries of transient failures within a pass.
    public let retry: TransientRetry
    /// Archive limits.
    public let limits: ExportLimits
    public let environment: WorkerEnvironment
    /// How long a published file's source is trusted by its content version alone: a pass
    /// downloads a client file only when its version (ETag, inode/size/time) changed, the store
    /// cannot tell, or its last read is older than this (plan: `workers.fullVerification`).
    public var fullVerificationEvery: Duration = .seconds(86_400)

    public init(
        source: any BlobStore, sourceIndexPath: String, clientKey: TrustedKey, destination: any BlobStore,
        destinationRoot: String, signer: ExportSigner, ledger: any PublishLedger, concurrency: Int = 4,
        retry: TransientRetry = .init(), limits: ExportLimits = .default, environment: WorkerEnvironment = .init()
    ) {
        self.source = source
        self.sourceIndexPath = sourceIndexPath
        self.clientKey = clientKey
        self.destination = destination
        self.destinationRoot = destinationRoot
        self.signer = signer
        self.ledger = ledger
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.limits = limits
        self.environment = environment
    }

    /// `<destinationRoot>/index.txt`.
    public var indexPath: String { "\(destinationRoot)/index.txt" }

    /// What one pass did.
    public struct Summary: Sendable, Equatable {
        public var entries = 0
        public var published = 0
        public var unchanged = 0
        public var quarantined: [FileProblem] = []
        public var retrying: [FileProblem] = []
    }

    /// The client index, checked.
    public func clientIndex() async throws -> ExportIndex {
        try await RetryingReader(store: source, retry: retry, sleep: environment.sleep).index(at: sourceIndexPath).index
    }

    /// Client entries not yet published from their current content (an estimate without
    /// downloading: entries with no published record).
    public func unpublishedEntries() async throws -> [String] {
        let published = try await publishedNames()
        return try await clientIndex().entries.filter { !published.contains(destinationName($0)) }
    }

    /// Client entries that are neither published nor quarantined for good: new ones, and those
    /// whose download waits for a retry. Each still owes its keys to the second feed.
    public func entriesStillOwed() async throws -> [String] {
        let records = Dictionary(try await ledger.entries().map { ($0.name, $0.status) }, uniquingKeysWith: { first, _ in first })
        return try await clientIndex().entries.filter { entry in
            switch records[destinationName(entry)] {
            case .published?, .quarantined?: false
            case .retrying?, nil: true
            }
        }
    }

    /// `<destinationRoot>/<basename>`.
    public func destinationName(_ entry: String) -> String {
        "\(destinationRoot)/\(entry.split(separator: "/").last.map(String.init) ?? entry)"
    }

    /// One pass: publish what is new or changed, then write the second index.
    @discardableResult
    public func runPass() async throws -> Summary {
        let index = try await clientIndex()
        var summary = Summary()
        summary.entries = index.entries.count
        var finished = 0
        try await forEachConcurrently(index.entries, limit: concurrency, work: { try await publish($0) }) { outcome in
            switch outcome {
            case .published: summary.published += 1
            case .unchanged: summary.unchanged += 1
            case .quarantined(let problem): summary.quarantined.append(problem)
            case .retrying(let problem): summary.retrying.append(problem)
            }
            finished += 1
            environment.report(
                .progress(
                    worker: "dual-export", done: finished, total: index.entries.count,
                    detail: "\(summary.published) re-signed, \(summary.quarantined.count) quarantined"))
        }
        try await writeIndex(for: index)
        return summary
    }

    enum Outcome: Sendable {
        case published, unchanged
        case quarantined(FileProblem)
        case retrying(FileProblem)
    }

    private func publish(_ entry: String) async throws -> Outcome {
        let name = destinationName(entry)
        let now = environment.now()
        // The version before the bytes (a HEAD, a stat): a file rewritten after this moment has
        // another version than the one recorded, so the next pass downloads it again.
        let version = try? await source.version(of: entry)
        let known = try await ledger.entry(name)
        if let version, let known, known.status == .published, known.sourceVersion == version,
            let checked = known.checkedAt, now.timeIntervalSince(checked) < TimeInterval(fullVerificationEvery.components.seconds),
            try await destination.exists(name)
        {
            return .unchanged
        }
        let data: Data
        do {
            data = try await RetryingReader(store: source, retry: retry, sleep: environment.sleep).read(entry)
        } catch let error as BlobStoreError {
            try await ledger.recordQuarantined(name, sourceDigest: nil, reason: error.description, permanent: !error.isTransient, at: now)
            let problem = FileProblem(file: entry, reason: error.description)
            return error.isTransient ? .retrying(problem) : .quarantined(problem)
        }
        let digest = data.sha256Hex
        if let known, known.sourceDigest == digest {
            if known.status == .quarantined { return .quarantined(FileProblem(file: entry, reason: known.reason ?? "quarantined")) }
            if known.status == .published, try await destination.exists(name) {
                if version != nil { try await ledger.recordSourceChecked(name, sourceVersion: version, at: now) }
                return .unchanged
            }
        }
        let resigned: Data
        do {
            let archive = try ExportArchive.read(zip: data, name: entry, limits: limits)
            _ = try ExportVerifier(trustedKeys: [clientKey], policy: .phone).verify(archive)
            resigned = try ExportArchiveWriter(signers: [signer]).resign(archive, limits: limits)
            try await destination.write(resigned, to: name)
        } catch let error as BlobStoreError {
            throw error
        } catch {
            try await ledger.recordQuarantined(name, sourceDigest: digest, reason: "\(error)", permanent: true, at: now)
            return .quarantined(FileProblem(file: entry, reason: "\(error)"))
        }
        // Outside the quarantine above: a bad copy is the destination's fault, not the file's;
        // the step fails and the next pass writes it again.
        try await ReadBackCheck(signer: signer).confirm(resigned, at: name, in: destination)
        try await ledger.recordPublished(name, sourceDigest: digest, sourceVersion: version, at: now)
        return .published
    }

    /// Names the ledger records as published, read in one query.
    private func publishedNames() async throws -> Set<String> {
        Set(try await ledger.entries().filter { $0.status == .published }.map(\.name))
    }

    /// Whether the second index is the one a pass would write now: a pass killed after its
    /// last file but before the index leaves every file published and the index behind.
    public func secondIndexIsCurrent() async throws -> Bool {
        let expected = try await secondIndexText(for: try await clientIndex())
        return (try? await destination.read(indexPath)) == expected
    }

    /// The second index lists the published files of the current client index, in its order.
    private func secondIndexText(for index: ExportIndex) async throws -> Data {
        let published = try await publishedNames()
        return Data(ExportIndex(entries: index.entries.map(destinationName).filter(published.contains)).text.utf8)
    }

    private func writeIndex(for index: ExportIndex) async throws {
        let text = try await secondIndexText(for: index)
        if let current = try? await destination.read(indexPath), current == text { return }
        try environment.confirmLease()
        try await destination.write(text, to: indexPath)
    }
}
