import Crypto
import ExposureExport
import Foundation
import MigrationEngine
import MigrationStoreContracts

/// Writes an export feed from a key store the way the reference export worker does (keys
/// sorted, split at `maxKeysPerFile`, `<root>/<start>-<end>-<NNNNN>.zip`, index written last),
/// with one guarantee more: each key is assigned to exactly one file, in one transaction with
/// the file's record, before the file is written; the index lists only written files. A crash
/// anywhere is repaired by the next pass (assigned files are written again, with the same keys
/// and name), and never puts a key in two files. Padding keys are not generated.
public struct FeedExportWriter: Sendable {
    /// The store the keys come from (and which records the assignment).
    public let keyStore: any ExposureKeyStore
    /// Where the feed is published.
    public let destination: any BlobStore
    /// The feed's root folder.
    public let root: String
    /// Region written in every file.
    public let region: String
    /// Signs every file.
    public let signer: ExportSigner
    /// Split batches above this many keys per file.
    public let maxKeysPerFile: Int
    /// Name used in progress lines.
    public let workerName: String
    /// Files built and written at once: encoding and signing use the cores, and each file's
    /// fsync waits on the disk while the next file is built.
    public let concurrency: Int
    public let environment: WorkerEnvironment

    public init(
        keyStore: any ExposureKeyStore, destination: any BlobStore, root: String, region: String, signer: ExportSigner,
        maxKeysPerFile: Int, workerName: String = "national-export", concurrency: Int = 4, environment: WorkerEnvironment = .init()
    ) {
        self.keyStore = keyStore
        self.destination = destination
        self.root = root
        self.region = region
        self.signer = signer
        self.maxKeysPerFile = maxKeysPerFile
        self.workerName = workerName
        self.concurrency = concurrency
        self.environment = environment
    }

    /// `<root>/index.txt`.
    public var indexPath: String { "\(root)/index.txt" }

    /// Files assigned but not yet written (a crash came between), and keys not yet in any file.
    public func pendingWork() async throws -> (unwritten: Int, written: Int) {
        let files = try await keyStore.nationalFiles()
        return (files.filter { !$0.isWritten }.count, files.filter(\.isWritten).count)
    }

    /// Assigns new keys to files, writes every unwritten file, then the index. Returns the
    /// number of files written.
    @discardableResult
    public func runPass() async throws -> Int {
        try await assignNewKeys()
        let unwritten = try await keyStore.nationalFiles().filter { !$0.isWritten }
        // Each file is written, then recorded as written; the index, written last, lists only
        // recorded files, so files finishing out of order never publish a missing one.
        var finished = 0
        var keysWritten = 0
        let first = unwritten.first?.name
        try await forEachConcurrently(
            unwritten, limit: concurrency,
            work: { [self] file in
                try await write(file, verifySignature: file.name == first)
            }
        ) { file in
            finished += 1
            keysWritten += file.keyCount
            environment.report(
                .progress(worker: workerName, done: finished, total: unwritten.count, keys: keysWritten, detail: "\(file.keyCount) keys in \(file.name)"))
        }
        try await writeIndex()
        return unwritten.count
    }

    /// Assigns the keys due by now to a new batch. A batch never ends after the time it is
    /// written and always after the previous one, so when passes run back to back (the last
    /// batch ended this second) the writer waits for the clock, a second at a time (a batch of N
    /// files needs N + 1 seconds past the last one). A last batch that ends further ahead (one
    /// an older version wrote ahead of the clock) is not waited for here: later passes assign
    /// once the clock has passed it.
    private func assignNewKeys() async throws {
        let longestWait: TimeInterval = 120
        for _ in 0...Int(longestWait) {
            let now = environment.now()
            if try await !keyStore.assignNationalFiles(root: root, maxKeysPerFile: maxKeysPerFile, cutoff: now).isEmpty { return }
            if try await keyStore.unassignedKeyCount(cutoff: now) == 0 { return }
            guard let lastEnd = try await keyStore.nationalFiles().map(\.batchEnd).max(),
                TimeInterval(lastEnd) - now.timeIntervalSince1970 < longestWait
            else { return }
            try await environment.sleep(.seconds(1))
            // A clock that does not move (a test's) would wait forever.
            guard environment.now() > now else { return }
        }
    }

    /// Builds, signs and writes one assigned file, then records it as written.
    private func write(_ file: NationalFileRecord, verifySignature: Bool) async throws -> NationalFileRecord {
        let primaries = try await keyStore.keys(inNationalFile: file.name)
        let revised = try await keyStore.revisedKeys(inNationalFile: file.name)
        // A key revised before its first export goes out once, as it is now (a revoked key is
        // never published as positive); a key exported earlier gets its revision as a revised key.
        let revisedHere = Set(revised.map(\.keyData))
        let primaryHere = Set(primaries.map(\.keyData))
        let contents = ExportFileContents(
            startTimestamp: UInt64(file.batchStart),
            endTimestamp: UInt64(file.batchEnd) + (file.fileCount > 1 ? UInt64(file.number) : 0),
            region: region, batchNum: 1, batchSize: 1,
            keys: primaries.map { Self.exportKey($0, revised: revisedHere.contains($0.keyData)) },
            revisedKeys: revised.filter { !primaryHere.contains($0.keyData) }.map { Self.exportKey($0, revised: true) })
        let (zip, digest) = try ExportArchiveWriter(signers: [signer]).signedArchive(for: contents)
        try await destination.write(zip, to: file.name)
        try await ReadBackCheck(signer: signer).confirm(zip, at: file.name, in: destination, verifySignature: verifySignature)
        try await keyStore.markNationalFileWritten(name: file.name, digest: digest)
        return file
    }

    /// Rewrites the index when it differs from the written files (atomically, after the files).
    func writeIndex() async throws {
        let written = try await keyStore.nationalFiles().filter(\.isWritten).map(\.name)
        let text = ExportIndex(entries: written).text
        if let current = try? await destination.read(indexPath), current == Data(text.utf8) { return }
        try environment.confirmLease()
        try await destination.write(Data(text.utf8), to: indexPath)
    }

    /// The export form of a stored key (report types back to the format's numbers); with
    /// `revised`, the key as its revision left it (report type, risk, days since onset).
    static func exportKey(_ key: StoredKey, revised: Bool = false) -> ExportKey {
        let revision = revised ? key.revision : nil
        let reportType: Int? =
            switch revision?.reportType ?? key.reportType {
            case "confirmed": 1
            case "likely": 2
            case "user-report": 3
            case "negative": 5
            default: nil
            }
        return ExportKey(
            keyData: key.keyData, transmissionRiskLevel: Int32(revision?.transmissionRisk ?? key.transmissionRisk),
            rollingStartIntervalNumber: key.intervalNumber, rollingPeriod: key.intervalCount,
            reportType: reportType, daysSinceOnsetOfSymptoms: revision?.daysSinceOnset ?? key.daysSinceOnset)
    }
}
