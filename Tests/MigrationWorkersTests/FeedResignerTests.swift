import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("Dual-export re-signs the client feed read over loopback HTTP")
struct FeedResignerTests {
    let secondRoot = "exposureKeyExport-US-XX"

    func resigner(_ server: LoopbackFeedServer, client: FeedFixture, destination: any BlobStore, ledger: any PublishLedger) -> FeedResigner {
        FeedResigner(
            source: HTTPBlobStore(base: server.baseURL), sourceIndexPath: "\(client.root)/index.txt",
            clientKey: TestKeys.client.trustedKey, destination: destination, destinationRoot: secondRoot,
            signer: TestKeys.state, ledger: ledger, retry: TransientRetry(attempts: 2, backoff: .milliseconds(1)),
            environment: testEnvironment())
    }

    @Test("good files are re-signed with the second-feed key; tampered and forged ones are quarantined, never copied")
    func quarantine() async throws {
        var client = FeedFixture()
        for position in 0..<5 {
            try await client.add(FeedFixture.keys(20), signer: position == 3 ? ExportSigner(key: .generate(), keyID: "310", keyVersion: "v1") : TestKeys.client)
        }
        let server = try await client.serve()
        server.inject(.flipByte(at: 150), for: client.files[1].name, times: nil)
        let destination = InMemoryBlobStore()
        let ledger = InMemoryPublishLedger()
        let summary = try await resigner(server, client: client, destination: destination, ledger: ledger).runPass()
        #expect(summary.published == 3)
        #expect(Set(summary.quarantined.map(\.file)) == [client.files[1].name, client.files[3].name])
        let index = try ExportIndex.parse(String(decoding: try await destination.read("\(secondRoot)/index.txt"), as: UTF8.self), file: "index")
        let good = [0, 2, 4].map { "\(secondRoot)/\(client.files[$0].name.split(separator: "/").last!)" }
        #expect(index.entries == good)
        for (position, name) in zip([0, 2, 4], good) {
            let archive = try ExportArchive.read(zip: try await destination.read(name), name: name)
            _ = try ExportVerifier(trustedKeys: [TestKeys.state.trustedKey]).verify(archive)
            #expect(throws: ExportVerificationError.self) { try ExportVerifier(trustedKeys: [TestKeys.client.trustedKey]).verify(archive) }
            #expect(try archive.contents().keys == ExportKey.sortedByKeyBytes(client.files[position].keys))
        }
        for position in [1, 3] {
            let name = "\(secondRoot)/\(client.files[position].name.split(separator: "/").last!)"
            #expect(try await !destination.exists(name))
            #expect(try await ledger.entry(name)?.status == .quarantined)
        }
        #expect(try await ledger.entry("\(secondRoot)/\(client.files[3].name.split(separator: "/").last!)")?.reason?.contains("does not verify") == true)
        await server.stop()
    }

    @Test("a pass killed after its files but before the second index is not done (found by the rehearsal's kill fault)")
    func notDoneWithoutIndex() async throws {
        var client = FeedFixture()
        for _ in 0..<2 { try await client.add(FeedFixture.keys(10), signer: TestKeys.client) }
        let server = try await client.serve()
        let destination = InMemoryBlobStore()
        let worker = DualExportWorker(resigner: resigner(server, client: client, destination: destination, ledger: InMemoryPublishLedger()))
        try await worker.apply()
        #expect(try await worker.isDone())
        // What a kill between the last file and the index write leaves behind.
        try await destination.delete("\(secondRoot)/index.txt")
        #expect(try await !worker.isDone())
        try await worker.apply()
        #expect(try await worker.isDone())
        await server.stop()
    }

    @Test("a second pass publishes nothing again; a changed source file is published again")
    func idempotent() async throws {
        var client = FeedFixture()
        for _ in 0..<3 { try await client.add(FeedFixture.keys(10), signer: TestKeys.client) }
        let server = try await client.serve()
        let destination = InMemoryBlobStore()
        let ledger = InMemoryPublishLedger()
        let worker = resigner(server, client: client, destination: destination, ledger: ledger)
        #expect(try await worker.runPass().published == 3)
        let again = try await worker.runPass()
        #expect(again.published == 0)
        #expect(again.unchanged == 3)
        // The state re-exports day 2 under the same name with more keys.
        let batch = ExportBatch(
            start: FeedFixture.firstDay + FeedFixture.day, end: FeedFixture.firstDay + 2 * FeedFixture.day,
            region: "US-XX", keys: FeedFixture.keys(12))
        let file = try #require(batch.files(root: client.root, maxKeysPerFile: 100).first)
        try await client.store.write(try ExportArchiveWriter(signers: [TestKeys.client]).archive(for: file.contents), to: client.files[1].name)
        let changed = try await worker.runPass()
        #expect(changed.published == 1)
        let name = "\(secondRoot)/\(client.files[1].name.split(separator: "/").last!)"
        #expect(try ExportArchive.read(zip: try await destination.read(name), name: name).contents().keys.count == 12)
        await server.stop()
    }

    @Test("a pass downloads only client files whose version changed; a version that never changes is caught by the daily full read")
    func downloadsOnlyWhatChanged() async throws {
        var client = FeedFixture()
        for _ in 0..<3 { try await client.add(FeedFixture.keys(10), signer: TestKeys.client) }
        let server = try await client.serve()
        let clock = TestClock()
        let ledger = InMemoryPublishLedger()
        let destination = InMemoryBlobStore()
        func worker(_ source: any BlobStore) -> FeedResigner {
            var worker = FeedResigner(
                source: source, sourceIndexPath: "\(client.root)/index.txt", clientKey: TestKeys.client.trustedKey,
                destination: destination, destinationRoot: secondRoot, signer: TestKeys.state,
                ledger: ledger, retry: TransientRetry(attempts: 2, backoff: .milliseconds(1)), environment: clock.environment)
            worker.fullVerificationEvery = .seconds(86_400)
            return worker
        }
        let http = HTTPBlobStore(base: server.baseURL)
        let downloads = { client.files.map { server.requestCount(for: $0.name) } }
        #expect(try await worker(http).runPass().published == 3)
        let first = downloads()
        clock.advance(60)
        #expect(try await worker(http).runPass().unchanged == 3)
        #expect(downloads() == first, "an unchanged file (same ETag) is not downloaded again")

        // Day 2 re-exported under the same name: a new ETag, so it alone is downloaded.
        let batch = ExportBatch(
            start: FeedFixture.firstDay + FeedFixture.day, end: FeedFixture.firstDay + 2 * FeedFixture.day,
            region: "US-XX", keys: FeedFixture.keys(12))
        let file = try #require(batch.files(root: client.root, maxKeysPerFile: 100).first)
        try await client.store.write(try ExportArchiveWriter(signers: [TestKeys.client]).archive(for: file.contents), to: client.files[1].name)
        #expect(try await worker(http).runPass().published == 1)
        #expect(downloads() == [first[0], first[1] + 1, first[2]])

        // A CDN whose ETag does not change with the content: trusted within the day, read in full after it.
        let stale = UnchangingVersionStore(inner: http)
        #expect(try await worker(stale).runPass().unchanged == 3)
        let day3 = ExportBatch(
            start: FeedFixture.firstDay + 2 * FeedFixture.day, end: FeedFixture.firstDay + 3 * FeedFixture.day,
            region: "US-XX", keys: FeedFixture.keys(14))
        let third = try #require(day3.files(root: client.root, maxKeysPerFile: 100).first)
        try await client.store.write(try ExportArchiveWriter(signers: [TestKeys.client]).archive(for: third.contents), to: client.files[2].name)
        clock.advance(3600)
        #expect(try await worker(stale).runPass().published == 0, "within the day the version is trusted")
        clock.advance(86_400)
        #expect(try await worker(stale).runPass().published == 1, "the day's full read downloads every file and finds the change")
        await server.stop()
    }

    @Test("a file that stays unreachable is held back (not listed) and published on a later pass")
    func transient() async throws {
        var client = FeedFixture()
        for _ in 0..<2 { try await client.add(FeedFixture.keys(10), signer: TestKeys.client) }
        let server = try await client.serve()
        server.inject(.status(503), for: client.files[0].name, times: nil)
        let destination = InMemoryBlobStore()
        let worker = resigner(server, client: client, destination: destination, ledger: InMemoryPublishLedger())
        let first = try await worker.runPass()
        #expect(first.retrying.map(\.file) == [client.files[0].name])
        #expect(String(decoding: try await destination.read("\(secondRoot)/index.txt"), as: UTF8.self).split(separator: "\n").count == 1)
        server.clearFaults()
        #expect(try await worker.runPass().published == 1)
        #expect(String(decoding: try await destination.read("\(secondRoot)/index.txt"), as: UTF8.self).split(separator: "\n").count == 2)
        await server.stop()
    }
}
