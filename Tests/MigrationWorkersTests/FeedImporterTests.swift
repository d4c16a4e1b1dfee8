import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("The importer over a real loopback HTTP server")
struct FeedImporterTests {
    let trusted = TrustedStateKeySet([.init(key: TestKeys.state.trustedKey)])

    func importer(
        _ server: LoopbackFeedServer, fixture: FeedFixture, keyStore: any ExposureKeyStore,
        trusted: TrustedStateKeySet? = nil, limits: HTTPBlobStore.Limits = .init(fileTimeout: .seconds(1)),
        concurrency: Int = 4, now: Date = Date(timeIntervalSince1970: 1_795_000_000)
    ) -> FeedImporter {
        FeedImporter(
            feed: HTTPBlobStore(base: server.baseURL, limits: limits), indexPath: "\(fixture.root)/index.txt",
            root: fixture.root, trustedKeys: trusted ?? self.trusted, transform: ImportedKeyTransform(region: "US-XX"),
            keyStore: keyStore, concurrency: concurrency, retry: TransientRetry(attempts: 3, backoff: .milliseconds(1)),
            environment: testEnvironment(now: now))
    }

    @Test("the store ends with exactly the keys of the good files; transient failures wait, permanent ones fail with the reason")
    func faults() async throws {
        var fixture = FeedFixture()
        for position in 0..<8 {
            try await fixture.add(FeedFixture.keys(50), signer: position == 6 ? TestKeys.forger : TestKeys.state)
        }
        let server = try await fixture.serve()
        let names = fixture.files.map(\.name)
        server.inject(.status(404), for: names[1], times: nil)
        server.inject(.status(500), for: names[2], times: 1)
        // Held until released (a stuck server, without a clock): the read times out.
        server.inject(.hold, for: names[3], times: nil)
        server.inject(.truncate(keep: 100), for: names[4], times: nil)
        server.inject(.flipByte(at: 120), for: names[5], times: nil)
        let store = try SQLiteKeyStore(path: fixture.folder.appendingPathComponent("national.db").path)
        let importer = importer(server, fixture: fixture, keyStore: store)

        let first = try await importer.runPass()
        #expect(first.imported == 3)
        #expect(Set(first.retrying.map(\.file)) == [names[1], names[3]])
        #expect(Set(first.failed.map(\.file)) == [names[4], names[5], names[6]])
        #expect(try await store.keyCount() == 150)
        for position in [0, 2, 7] {
            for key in fixture.files[position].keys { #expect(try await store.key(key.keyData) != nil) }
        }
        for position in [4, 5, 6] {
            for key in fixture.files[position].keys { #expect(try await store.key(key.keyData) == nil) }
        }
        let records = Dictionary(uniqueKeysWithValues: try await store.importFiles().map { ($0.url, $0) })
        #expect(records[names[1]]?.lastError == "\(names[1]): not found")
        #expect(records[names[6]]?.lastError?.contains("does not verify") == true)
        #expect(records[names[4]]?.status == .failed)

        server.clearFaults()
        server.releaseHeld()
        let failedRequests = [4, 5, 6].map { server.requestCount(for: names[$0]) }
        let second = try await importer.runPass()
        #expect(second.attempted == 2)
        #expect(second.imported == 2)
        #expect(try await store.keyCount() == 250)
        // A file failed for good is never fetched again.
        #expect([4, 5, 6].map { server.requestCount(for: names[$0]) } == failedRequests)
        #expect(try await importer.runPass().attempted == 0)
        await server.stop()
    }

    @Test("a non-200 or oversized index is an error, never an empty index")
    func badIndex() async throws {
        var fixture = FeedFixture()
        try await fixture.add(FeedFixture.keys(3), signer: TestKeys.state)
        let server = try await fixture.serve()
        let store = InMemoryKeyStore()
        server.inject(.status(500), for: "\(fixture.root)/index.txt", times: nil)
        await #expect(throws: BlobStoreError.httpStatus(path: "\(fixture.root)/index.txt", status: 500)) {
            try await importer(server, fixture: fixture, keyStore: store).runPass()
        }
        server.clearFaults()
        await #expect(throws: BlobStoreError.tooLarge(path: "\(fixture.root)/index.txt", limit: 10)) {
            try await importer(server, fixture: fixture, keyStore: store, limits: .init(maxIndexBytes: 10)).runPass()
        }
        #expect(try await store.importFiles().isEmpty)
        await server.stop()
    }

    @Test("a trusted key is used only inside its window: a closed window fails the file, one not open yet retries it until it opens")
    func validityWindow() async throws {
        var fixture = FeedFixture()
        try await fixture.add(FeedFixture.keys(3), signer: TestKeys.state)
        let server = try await fixture.serve()
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let expired = TrustedStateKeySet([.init(key: TestKeys.state.trustedKey, thru: now.addingTimeInterval(-1))])
        let notYet = TrustedStateKeySet([.init(key: TestKeys.state.trustedKey, from: now.addingTimeInterval(60))])
        let closed = InMemoryKeyStore()
        let failed = try await importer(server, fixture: fixture, keyStore: closed, trusted: expired, now: now).runPass()
        #expect(failed.failed.count == 1 && failed.retrying.isEmpty)
        #expect(failed.failed.first?.reason.contains("signed by 310.v2, which is trusted only") == true)
        #expect(try await closed.keyCount() == 0)
        // Failed for good before: a file refused a minute early was never imported.
        let early = InMemoryKeyStore()
        let waiting = try await importer(server, fixture: fixture, keyStore: early, trusted: notYet, now: now).runPass()
        #expect(waiting.failed.isEmpty && waiting.retrying.count == 1)
        #expect(waiting.retrying.first?.reason.contains("tried again once the window opens") == true)
        #expect(try await early.keyCount() == 0)
        let opened = try await importer(server, fixture: fixture, keyStore: early, trusted: notYet, now: now.addingTimeInterval(61)).runPass()
        #expect(opened.imported == 1)
        #expect(try await early.keyCount() == 3)
        let inside = TrustedStateKeySet([.init(key: TestKeys.state.trustedKey, from: now.addingTimeInterval(-60), thru: now.addingTimeInterval(60))])
        #expect(try await importer(server, fixture: fixture, keyStore: InMemoryKeyStore(), trusted: inside, now: now).runPass().imported == 1)
        await server.stop()
    }

    @Test("a file republished under its old name with other content is imported again: its new keys arrive, the old ones stay once")
    func republishedFile() async throws {
        var fixture = FeedFixture()
        let keys = FeedFixture.keys(6)
        let name = try await fixture.add(keys, signer: TestKeys.state)
        try await fixture.add(FeedFixture.keys(3), signer: TestKeys.state)
        let store = InMemoryKeyStore()
        let importer = FeedImporter(
            feed: fixture.store, indexPath: "\(fixture.root)/index.txt", root: fixture.root, trustedKeys: trusted,
            transform: ImportedKeyTransform(region: "US-XX"), keyStore: store, environment: testEnvironment())
        #expect(try await importer.runPass().imported == 2)
        #expect(try await importer.runPass().attempted == 0, "nothing changed: nothing is read again")
        // The state rewrites the first file under the same name with four more keys; the index is unchanged.
        let more = FeedFixture.keys(4)
        let batch = ExportBatch(start: FeedFixture.firstDay, end: FeedFixture.firstDay + FeedFixture.day, region: "US-XX", keys: keys + more)
        let file = try require(batch.files(root: fixture.root, maxKeysPerFile: 100_000).first)
        #expect(file.name == name)
        try await fixture.store.write(try ExportArchiveWriter(signers: [TestKeys.state]).archive(for: file.contents), to: name)
        let again = try await importer.runPass()
        #expect(again.republished == [name] && again.imported == 1 && again.keysInserted == 4)
        #expect(try await store.keyCount() == 13)
        #expect(try await importer.runPass().republished.isEmpty)
    }

    @Test("revised keys: an allowed revision applies, a bad one is refused alone, the rest of the file is imported")
    func revisions() async throws {
        var fixture = FeedFixture()
        let likely = FeedFixture.keys(2, reportType: 2)
        let confirmed = FeedFixture.keys(1, reportType: 1)
        try await fixture.add(likely + confirmed, signer: TestKeys.state)
        var toConfirmed = likely[0]
        toConfirmed.reportType = 1
        var confirmedToRevoked = confirmed[0]
        confirmedToRevoked.reportType = 5
        let fresh = FeedFixture.keys(4)
        try await fixture.add(fresh, revised: [toConfirmed, confirmedToRevoked], signer: TestKeys.state)
        let server = try await fixture.serve()
        let store = InMemoryKeyStore()
        let summary = try await importer(server, fixture: fixture, keyStore: store).runPass()
        #expect(summary.imported == 2)
        #expect(summary.keysInserted == 7)
        #expect(summary.keysRevised == 1)
        #expect(summary.keysRejected == 1)
        #expect(try await store.key(likely[0].keyData)?.revision?.reportType == "confirmed")
        #expect(try await store.key(confirmed[0].keyData)?.revision == nil)
        await server.stop()
    }

    @Test("sharing: a pass imports what it claims, lists files a live replica claimed, and takes a gone replica's at once")
    func sharedImport() async throws {
        var fixture = FeedFixture()
        for _ in 0..<5 { try await fixture.add(FeedFixture.keys(20), signer: TestKeys.state) }
        let server = try await fixture.serve()
        let names = fixture.files.map(\.name)
        let store = InMemoryKeyStore()
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(
            try await store.claimImportFiles([names[1], names[3]], limit: 10, owner: "other", until: now.addingTimeInterval(60), now: now)
                == [names[1], names[3]])
        var me = importer(server, fixture: fixture, keyStore: store, concurrency: 1)
        me.sharing = ImportSharing(owner: "me")
        let first = try await me.runPass()
        #expect(first.imported == 3)
        #expect(first.claimedElsewhere == [names[1], names[3]])
        #expect(try await store.keyCount() == 60)

        me.sharing = ImportSharing(owner: "me") { $0 == "other" }
        let second = try await me.runPass()
        #expect(second.imported == 2 && second.claimedElsewhere.isEmpty)
        #expect(try await store.keyCount() == 100)
        #expect(try await store.importFiles().allSatisfy { $0.status == .imported && $0.attempts == 1 })
        await server.stop()
    }

    @Test("parallel downloads commit in index order even when an early file is slow")
    func orderedCommit() async throws {
        var fixture = FeedFixture()
        for _ in 0..<6 { try await fixture.add(FeedFixture.keys(5), signer: TestKeys.state) }
        let server = try await fixture.serve()
        server.inject(.delay(0.3), for: fixture.files[0].name)
        let store = RecordingKeyStore()
        let summary = try await importer(server, fixture: fixture, keyStore: store, limits: .init(), concurrency: 4).runPass()
        #expect(summary.imported == 6)
        #expect(store.order == fixture.files.map(\.name))
        await server.stop()
    }
}

/// A key store that remembers the order files were committed in.
final class RecordingKeyStore: ExposureKeyStore, @unchecked Sendable {
    private let inner = InMemoryKeyStore()
    private let lock = NSLock()
    private var committed: [String] = []
    var order: [String] { lock.withLock { committed } }

    func importBatch(_ files: [FileImport], at: Date) async throws -> [ImportOutcome] {
        lock.withLock { committed += files.map(\.url) }
        return try await inner.importBatch(files, at: at)
    }
    func recordProblem(url: String, status: ImportFileRecord.Status, reason: String, at: Date) async throws {
        try await inner.recordProblem(url: url, status: status, reason: reason, at: at)
    }
    func importFiles() async throws -> [ImportFileRecord] { try await inner.importFiles() }
    func claimImportFiles(_ urls: [String], limit: Int, owner: String, until: Date, now: Date) async throws -> [String] {
        try await inner.claimImportFiles(urls, limit: limit, owner: owner, until: until, now: now)
    }
    func importClaimOwners(now: Date) async throws -> Set<String> { try await inner.importClaimOwners(now: now) }
    func releaseImportClaims(owner: String) async throws { try await inner.releaseImportClaims(owner: owner) }
    func keyCount() async throws -> Int { try await inner.keyCount() }
    func key(_ keyData: Data) async throws -> StoredKey? { try await inner.key(keyData) }
    func assignNationalFiles(root: String, maxKeysPerFile: Int, cutoff: Date) async throws -> [NationalFileRecord] {
        try await inner.assignNationalFiles(root: root, maxKeysPerFile: maxKeysPerFile, cutoff: cutoff)
    }
    func nationalFiles() async throws -> [NationalFileRecord] { try await inner.nationalFiles() }
    func unassignedKeyCount(cutoff: Date) async throws -> Int { try await inner.unassignedKeyCount(cutoff: cutoff) }
    func reopenImportFile(url: String, reason: String, at: Date) async throws { try await inner.reopenImportFile(url: url, reason: reason, at: at) }
    func revisedKeys(inNationalFile name: String) async throws -> [StoredKey] { try await inner.revisedKeys(inNationalFile: name) }
    func keys(inNationalFile name: String) async throws -> [StoredKey] { try await inner.keys(inNationalFile: name) }
    func markNationalFileWritten(name: String, digest: String) async throws { try await inner.markNationalFileWritten(name: name, digest: digest) }
}
