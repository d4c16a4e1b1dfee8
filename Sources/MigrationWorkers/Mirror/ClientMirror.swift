import ExposureExport
import Foundation
import MigrationStoreContracts

/// The state's client CDN serving the national feed. Staging copies every national file to
/// `<root>/national-<basename>` (one name per file, so a retry never publishes a file twice),
/// verifies it with the national key, and prepares the next client index without publishing
/// it. Publishing replaces `<root>/index.txt` in one atomic write; the state's own index is
/// saved first, once, so the swap can be undone while the state still holds its old key.
///
/// Unlike the reference mirror: files are verified before they are published, file names are
/// deterministic (no `[timestamp]`/`[uuid]` rewrites), a file leaves the mirror only after the
/// published index no longer lists it, and a client index rewritten by someone else stops the
/// mirror instead of being silently overwritten.
public struct ClientMirror: Sendable {
    /// Where the national feed is read.
    public let source: any BlobStore
    /// The national index's path in `source`.
    public let sourceIndexPath: String
    /// The key phones will verify with after the rotation.
    public let nationalKey: TrustedKey
    /// The state's client CDN location.
    public let destination: any BlobStore
    /// The client feed's root folder in `destination`.
    public let root: String
    /// Where the mirror's state (``MirrorState``) is kept: the journal under `apply`.
    public let state: WorkerDocument
    /// Take back a client index someone else rewrote (after the operator stopped that writer).
    public var overwriteForeignIndex = false
    /// How often staging reads and verifies every staged copy again; in between, only copies
    /// whose content version changed (or whose store cannot tell) are read (plan:
    /// `workers.fullVerification`, default a day).
    public var fullVerificationEvery: Duration = .seconds(86_400)
    public let retry: TransientRetry
    public let limits: ExportLimits
    public var environment: WorkerEnvironment

    public init(
        source: any BlobStore, sourceIndexPath: String, nationalKey: TrustedKey, destination: any BlobStore, root: String,
        state: WorkerDocument, retry: TransientRetry = .init(), limits: ExportLimits = .default, environment: WorkerEnvironment = .init()
    ) {
        self.source = source
        self.sourceIndexPath = sourceIndexPath
        self.nationalKey = nationalKey
        self.destination = destination
        self.root = root
        self.state = state
        self.retry = retry
        self.limits = limits
        self.environment = environment
    }

    /// The index phones read: `<root>/index.txt`.
    public var indexPath: String { "\(root)/index.txt" }
    /// The prepared, unpublished next index.
    public var stagedIndexPath: String { "\(root)/index.txt.staged" }
    /// The state's own index, saved before the first swap.
    public var previousIndexPath: String { "\(root)/index.txt.before-cut-over" }

    /// What a staging pass found.
    public struct StageSummary: Sendable, Equatable {
        public var entries = 0
        public var copied = 0
        /// The index text staged for publishing.
        public var indexText = ""
    }

    /// Copies and verifies every national file not yet staged, then writes the staged index.
    @discardableResult
    public func stage() async throws -> StageSummary {
        let reader = RetryingReader(store: source, retry: retry, sleep: environment.sleep)
        let index = try await reader.index(at: sourceIndexPath).index
        var byName: [String: String] = [:]
        for entry in index.entries {
            let name = localName(entry)
            if let first = byName[name] { throw MirrorError.duplicateBasename(first: first, second: entry) }
            byName[name] = entry
        }
        var summary = StageSummary()
        summary.entries = index.entries.count
        var state = try MirrorState.load(from: self.state)
        let before = state
        let now = environment.now()
        let fullPass = state.fullVerificationAt.map { now.timeIntervalSince($0) >= TimeInterval(fullVerificationEvery.components.seconds) } ?? true
        var verified = fullPass ? [:] : state.verifiedCopies ?? [:]
        for (position, entry) in index.entries.enumerated() {
            let name = localName(entry)
            // The version before the bytes: a copy rewritten after this moment has another
            // version than the one recorded, so the next pass reads it again.
            let version = try? await destination.version(of: name)
            if let version, verified[name] == version { continue }
            if try await stagedCopyVerifies(name) {
                verified[name] = version
                continue
            }
            let data = try await reader.read(entry)
            try verify(data, file: entry)
            try await destination.write(data, to: name)
            let written = try? await destination.version(of: name)
            guard try await destination.read(name) == data else { throw MirrorError.copyMismatch(file: name) }
            verified[name] = written
            summary.copied += 1
            environment.report(.progress(worker: "mirror", done: position + 1, total: index.entries.count, detail: "\(summary.copied) national files staged"))
        }
        // Only the copies the index lists now: one that left it is deleted after the swap.
        let listed = Set(index.entries.map(localName))
        state.verifiedCopies = verified.filter { listed.contains($0.key) }
        if fullPass { state.fullVerificationAt = now }
        if state != before { try state.save(to: self.state) }
        summary.indexText = ExportIndex(entries: index.entries.map(localName)).text
        let staged = Data(summary.indexText.utf8)
        if (try? await destination.read(stagedIndexPath)) != staged { try await destination.write(staged, to: stagedIndexPath) }
        return summary
    }

    /// Whether every national file is staged and the staged index is prepared and current.
    /// Throws `notFound` for the national index when the national feed is not published yet.
    public func isStaged() async throws -> Bool {
        let index = try await RetryingReader(store: source, retry: retry, sleep: environment.sleep).index(at: sourceIndexPath).index
        guard let staged = try? await destination.read(stagedIndexPath) else { return false }
        guard String(decoding: staged, as: UTF8.self) == ExportIndex(entries: index.entries.map(localName)).text else { return false }
        for entry in index.entries where !(try await destination.exists(localName(entry))) { return false }
        return true
    }

    /// National index entries whose copy is not in the client mirror yet.
    public func unstagedEntries() async throws -> [String] {
        let index = try await RetryingReader(store: source, retry: retry, sleep: environment.sleep).index(at: sourceIndexPath).index
        var missing: [String] = []
        for entry in index.entries where !(try await destination.exists(localName(entry))) { missing.append(entry) }
        return missing
    }

    /// Publishes the staged index in one atomic write. The first time, the state's own index is
    /// saved to `previousIndexPath` before anything changes. Returns the time of the swap.
    @discardableResult
    public func publish() async throws -> Date {
        try await publish(try await destination.read(stagedIndexPath))
    }

    /// Publishes `staged` as the client index. With `replacing`, only over a client index with
    /// one of those digests (the one the proof read, or `staged` itself after a crash right
    /// after the write): anything else was written by someone else and is not overwritten.
    @discardableResult
    public func publish(_ staged: Data, replacing: Set<String>? = nil, sizes: [String: Int] = [:]) async throws -> Date {
        var state = try MirrorState.load(from: self.state)
        // The version first, then the bytes: the swap below is conditional on that version, so
        // a client index rewritten after this moment (by the state's own exporter, a sync job,
        // a second operator) makes the swap fail instead of being overwritten unseen.
        let version = try await destination.currentVersion(of: indexPath)
        let current = try? await destination.read(indexPath)
        if let replacing, !replacing.contains(current?.sha256Hex ?? "") { throw MirrorError.clientIndexChangedBeforeSwap(path: indexPath) }
        // What phones do with the new index: none may be left unable to reach a new file. A
        // rewrite of our own index after a crash (the same bytes) changes nothing for phones.
        let downloads = current == staged ? nil : try phoneDownloads(replacing: current, with: staged, sizes: sizes)
        if !state.previousIndexSaved {
            // The index being replaced now, never a copy an earlier run left behind.
            if let current, (try? await destination.read(previousIndexPath)) != current {
                try await destination.write(current, to: previousIndexPath)
            }
            state.previousIndexSaved = true
            try state.save(to: self.state)
        }
        // Intent → write → commit: the write is named before it happens, so a crash between
        // the write and the commit leaves an index the next pass knows as ours.
        state.publishing = .init(digest: staged.sha256Hex, startedAt: environment.now(), downloads: downloads)
        try state.save(to: self.state)
        // The last moment before phones see it: a process that lost the run lock writes nothing.
        try environment.confirmLease()
        do {
            try await destination.write(staged, to: indexPath, if: .still(version))
        } catch BlobStoreError.preconditionFailed {
            throw MirrorError.clientIndexChangedBeforeSwap(path: indexPath)
        }
        let now = environment.now()
        state.commitPublish(at: now)
        try state.save(to: self.state)
        return now
    }

    /// The staged index, checked just before the swap: it lists exactly the national files
    /// `expected` names (as local copies), and every one of those copies verifies with the
    /// national key as the plan names it now. Returns the bytes to publish.
    public func verifiedStagedIndex(listing expected: [String]) async throws -> Data {
        try await verifiedStagedIndexAndSizes(listing: expected).index
    }

    /// ``verifiedStagedIndex(listing:)`` with the bytes of every staged copy.
    public func verifiedStagedIndexAndSizes(listing expected: [String]) async throws -> (index: Data, sizes: [String: Int]) {
        let staged = try await destination.read(stagedIndexPath)
        let wanted = ExportIndex(entries: expected.map(localName)).text
        guard String(decoding: staged, as: UTF8.self) == wanted else {
            throw MirrorError.stagedIndexChanged(path: stagedIndexPath)
        }
        var sizes: [String: Int] = [:]
        for name in expected.map(localName) {
            let data: Data
            do { data = try await RetryingReader(store: destination, retry: retry, sleep: environment.sleep).read(name) } catch {
                throw MirrorError.unverified(file: name, reason: "\(error)")
            }
            try verify(data, file: name)
            sizes[name] = data.count
        }
        return (staged, sizes)
    }

    /// What phones that read `current` fetch when `next` replaces it; throws when phones that
    /// resume after the last name they processed would never fetch a new file.
    public func phoneDownloads(replacing current: Data?, with next: Data, sizes: [String: Int] = [:]) throws -> PhoneDownloadSimulation {
        let lines = { (data: Data) in String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init) }
        let before = current.map(lines) ?? []
        let simulation = PhoneDownloadSimulation.change(from: before, to: lines(next), sizes: sizes)
        if !simulation.resumeAfterLastName.skipped.isEmpty {
            throw MirrorError.phonesWouldSkip(
                path: indexPath, files: simulation.resumeAfterLastName.skipped,
                after: before.max { $0.utf8.lexicographicallyPrecedes($1.utf8) } ?? "")
        }
        return simulation
    }

    /// Whether the published client index is the one the mirror last wrote.
    /// A write whose commit a crash cut off counts as ours, and is committed here.
    public func publishedIndexIsOurs() async throws -> Bool {
        var state = try MirrorState.load(from: self.state)
        let current = (try? await destination.read(indexPath))?.sha256Hex
        if let pending = state.publishing, current == pending.digest {
            state.commitPublish()
            try state.save(to: self.state)
            return true
        }
        guard let digest = state.publishedDigest else { return false }
        return current == digest
    }

    /// One steady pass after the cut-over: stop if someone else rewrote the client index,
    /// stage new national files, publish when the index changed, then delete mirrored files
    /// the published index no longer lists.
    public func steadyPass() async throws {
        let ours = try await publishedIndexIsOurs()
        let state = try MirrorState.load(from: self.state)
        if state.publishedDigest != nil, !overwriteForeignIndex, !ours {
            throw MirrorError.indexRewritten(path: indexPath)
        }
        let summary = try await stage()
        if (try? await destination.read(indexPath)) != Data(summary.indexText.utf8) { try await publish() }
        let listed = Set(summary.indexText.split(separator: "\n").map(String.init))
        for name in try await destination.list(under: root) where name.hasPrefix("\(root)/national-") && !listed.contains(name) {
            try await destination.delete(name)
        }
    }

    /// Puts the state's own client index back (`abort --restore-client-index`), and only when it
    /// is still true: the saved copy must be the index the swap replaced (`expectedDigest`, sealed
    /// with the coverage baseline; a copy from an earlier run or one planted beside the index is
    /// refused), and every file it lists must be in the CDN and verify with the state's client key
    /// (`stateKey`), except the files the proof already left out (`knownRejected`).
    ///
    /// With `origin` (the plan's `clientFeed.origin`, where the state's export worker publishes
    /// after the cut-over), the state's *current* index is served instead: read there, every file
    /// it lists read and verified with `stateKey`, copied into the CDN where it is missing or
    /// differs, and only then the index written.
    public func restore(
        stateKey: TrustedKey? = nil, expectedDigest: String? = nil, knownRejected: Set<String> = [],
        origin: (store: any BlobStore, indexPath: String)? = nil
    ) async throws {
        if let origin, let stateKey {
            try await restore(from: origin, stateKey: stateKey)
            return
        }
        guard let previous = try? await destination.read(previousIndexPath) else { throw MirrorError.nothingToRestore(path: previousIndexPath) }
        if let expectedDigest, !expectedDigest.isEmpty, previous.sha256Hex != expectedDigest {
            throw MirrorError.restoreRefused(
                path: previousIndexPath,
                reason: "it is not the client index the cut-over replaced (sha256 "
                    + "\(previous.sha256Hex.prefix(12))…, the swap replaced \(expectedDigest.prefix(12))…)")
        }
        if let stateKey {
            let index = try ExportIndex.parse(String(decoding: previous, as: UTF8.self), file: previousIndexPath, root: root)
            let reader = RetryingReader(store: destination, retry: retry, sleep: environment.sleep)
            for entry in index.entries where !knownRejected.contains(entry) {
                do {
                    let archive = try ExportArchive.read(zip: try await reader.read(entry), name: entry, limits: limits)
                    _ = try ExportVerifier(trustedKeys: [stateKey], policy: .phone).verify(archive)
                } catch {
                    throw MirrorError.restoreRefused(
                        path: previousIndexPath, reason: "it lists \(entry), which phones holding the state's key cannot use: \(error)")
                }
            }
        }
        try environment.confirmLease()
        try await destination.write(previous, to: indexPath)
        var state = try MirrorState.load(from: self.state)
        state.publishedDigest = nil
        state.publishing = nil
        state.restoredAt = environment.now()
        try state.save(to: self.state)
    }

    /// Serves the state's current index from `origin` (see ``restore(stateKey:expectedDigest:knownRejected:origin:)``).
    private func restore(from origin: (store: any BlobStore, indexPath: String), stateKey: TrustedKey) async throws {
        let reader = RetryingReader(store: origin.store, retry: retry, sleep: environment.sleep)
        let (index, text) = try await reader.index(at: origin.indexPath)
        func verified(_ entry: String) async throws -> Data {
            do {
                let data = try await reader.read(entry)
                let archive = try ExportArchive.read(zip: data, name: entry, limits: limits)
                _ = try ExportVerifier(trustedKeys: [stateKey], policy: .phone).verify(archive)
                return data
            } catch {
                throw MirrorError.restoreRefused(path: origin.indexPath, reason: "it lists \(entry), which phones holding the state's key cannot use: \(error)")
            }
        }
        // Every file verified before anything is copied: a refused restore changes nothing.
        for entry in index.entries { _ = try await verified(entry) }
        for entry in index.entries {
            let data = try await verified(entry)
            // Files first, the index last: phones never see a line whose file is not there.
            if (try? await destination.read(entry)) != data {
                try environment.confirmLease()
                try await destination.write(data, to: entry)
            }
        }
        try environment.confirmLease()
        try await destination.write(text, to: indexPath)
        var state = try MirrorState.load(from: self.state)
        state.publishedDigest = nil
        state.publishing = nil
        state.restoredAt = environment.now()
        try state.save(to: self.state)
    }

    /// `<root>/national-<basename>`.
    public func localName(_ entry: String) -> String {
        "\(root)/national-\(entry.split(separator: "/").last.map(String.init) ?? entry)"
    }

    private func stagedCopyVerifies(_ name: String) async throws -> Bool {
        guard let data = try? await destination.read(name) else { return false }
        do {
            try verify(data, file: name)
            return true
        } catch {
            return false
        }
    }

    private func verify(_ data: Data, file: String) throws {
        do {
            let archive = try ExportArchive.read(zip: data, name: file, limits: limits)
            _ = try ExportVerifier(trustedKeys: [nationalKey], policy: .phone).verify(archive)
        } catch {
            throw MirrorError.unverified(file: file, reason: "\(error)")
        }
    }
}
