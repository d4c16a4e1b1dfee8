import ExposureExport
import Foundation
import MigrationStores
import Synchronization
import Testing
@testable import MigrationWorkers

@Suite("The national feed is written from the key store, each key in exactly one file")
struct FeedExportWriterTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func stored(_ count: Int) -> [StoredKey] {
        FeedFixture.keys(count).map {
            StoredKey(
                keyData: $0.keyData, transmissionRisk: Int($0.transmissionRiskLevel ?? 1), intervalNumber: $0.rollingStartIntervalNumber ?? 0,
                daysSinceOnset: 2, regions: ["US-XX"], createdAt: now.addingTimeInterval(-3600))
        }
    }

    func writer(_ store: any ExposureKeyStore, _ destination: any BlobStore, now: Date) -> FeedExportWriter {
        FeedExportWriter(
            keyStore: store, destination: destination, root: "exposureKeyExport-US", region: "US",
            signer: TestKeys.national, maxKeysPerFile: 40, environment: testEnvironment(now: now))
    }

    /// Every key in every file of the published index, verified with the national key.
    func publishedKeys(_ destination: any BlobStore) async throws -> [Data] {
        let index = try ExportIndex.parse(String(decoding: try await destination.read("exposureKeyExport-US/index.txt"), as: UTF8.self), file: "index")
        var keys: [Data] = []
        for entry in index.entries {
            let archive = try ExportArchive.read(zip: try await destination.read(entry), name: entry)
            _ = try ExportVerifier(trustedKeys: [TestKeys.national.trustedKey]).verify(archive)
            keys += try archive.contents().keys.map(\.keyData)
        }
        return keys
    }

    @Test("passes back to back wait for the clock (a second) instead of writing a batch that ends in the future; a last batch far ahead is not waited for")
    func waitsForTheClock() async throws {
        let clock = Mutex(now)
        let sleeps = Mutex(0)
        let environment = WorkerEnvironment(
            now: { clock.withLock { $0 } },
            sleep: { duration in
                sleeps.withLock { $0 += 1 }
                clock.withLock { $0 = $0.addingTimeInterval(Double(duration.components.seconds)) }
            })
        let store = InMemoryKeyStore()
        let destination = InMemoryBlobStore()
        let writer = FeedExportWriter(
            keyStore: store, destination: destination, root: "exposureKeyExport-US", region: "US",
            signer: TestKeys.national, maxKeysPerFile: 40, environment: environment)
        // Keys due this very second: the first batch ends now, so the next one can only end later.
        let dueNow = { (count: Int) in
            self.stored(count).map { key in
                var key = key; key.createdAt = self.now; return key
            }
        }
        _ = try await store.importFile(url: "a.zip", digest: "a", keys: dueNow(3), at: now)
        #expect(try await writer.runPass() == 1)
        _ = try await store.importFile(url: "b.zip", digest: "b", keys: dueNow(2), at: now)
        #expect(try await writer.runPass() == 1, "the second batch is written once the clock has moved on")
        #expect(sleeps.withLock { $0 } == 1)
        let files = try await store.nationalFiles()
        #expect(files.allSatisfy { TimeInterval($0.batchEnd) <= clock.withLock { $0 }.timeIntervalSince1970 })

        // A batch an older version wrote an hour ahead of the clock: this pass does not stall on it.
        let ahead = InMemoryKeyStore()
        _ = try await ahead.importFile(url: "c.zip", digest: "c", keys: stored(1), at: now)
        _ = try await ahead.assignNationalFiles(root: "exposureKeyExport-US", maxKeysPerFile: 40, cutoff: clock.withLock { $0 }.addingTimeInterval(7200))
        _ = try await ahead.importFile(url: "d.zip", digest: "d", keys: stored(1), at: now)
        let before = sleeps.withLock { $0 }
        _ = try await FeedExportWriter(
            keyStore: ahead, destination: InMemoryBlobStore(), root: "exposureKeyExport-US", region: "US",
            signer: TestKeys.national, maxKeysPerFile: 40, environment: environment
        ).runPass()
        #expect(sleeps.withLock { $0 } == before, "waited for a batch that ends an hour ahead")
    }

    @Test("files verify with the national key and hold every stored key once", arguments: ["memory", "sqlite"])
    func writes(driver: String) async throws {
        let store: any ExposureKeyStore =
            driver == "memory"
            ? InMemoryKeyStore()
            : try SQLiteKeyStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-nat-\(UUID().uuidString).db").path)
        let keys = stored(100)
        _ = try await store.importFile(url: "a.zip", digest: "d", keys: keys, at: now)
        let destination = InMemoryBlobStore()
        #expect(try await writer(store, destination, now: now).runPass() == 3)
        let published = try await publishedKeys(destination)
        #expect(published.count == 100)
        #expect(Set(published) == Set(keys.map(\.keyData)))
        #expect(try await writer(store, destination, now: now).runPass() == 0)
    }

    @Test("a crash after the assignment committed is repaired by the next pass without a key in two files")
    func crashAfterAssignment() async throws {
        let store = InMemoryKeyStore()
        let first = stored(50)
        _ = try await store.importFile(url: "a.zip", digest: "d", keys: first, at: now)
        // The process died right after the transaction: files assigned, nothing written.
        let assigned = try await store.assignNationalFiles(root: "exposureKeyExport-US", maxKeysPerFile: 40, cutoff: now)
        #expect(assigned.count == 2)
        let destination = InMemoryBlobStore()
        let later = stored(10).map { key -> StoredKey in
            var key = key
            key.createdAt = now.addingTimeInterval(3600)
            return key
        }
        _ = try await store.importFile(url: "b.zip", digest: "e", keys: later, at: now)
        #expect(try await writer(store, destination, now: now.addingTimeInterval(7200)).runPass() == 3)
        let published = try await publishedKeys(destination)
        #expect(published.count == 60)
        #expect(Set(published).count == 60)
        let names = try await store.nationalFiles().map(\.name)
        #expect(Array(names.prefix(2)) == assigned.map(\.name))
        #expect(try await store.nationalFiles().allSatisfy(\.isWritten))
    }
}

@Suite("The national export as an engine step")
struct ExportFeedWorkerTests {
    @Test("an export interrupted before it assigned a key is not taken for finished")
    func interruptedBeforeAssignment() async throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let store = InMemoryKeyStore()
        let keys = FeedFixture.keys(10).map {
            StoredKey(
                keyData: $0.keyData, transmissionRisk: 1, intervalNumber: $0.rollingStartIntervalNumber ?? 0,
                daysSinceOnset: 2, regions: ["US-XX"], createdAt: now.addingTimeInterval(-3600))
        }
        _ = try await store.importFile(url: "a.zip", digest: "d", keys: keys, at: now)
        let worker = ExportFeedWorker(
            writer: FeedExportWriter(
                keyStore: store, destination: InMemoryBlobStore(), root: "exposureKeyExport-US", region: "US", signer: TestKeys.national,
                maxKeysPerFile: 40, environment: testEnvironment(now: now)))
        #expect(try await worker.isDone() == false)
    }
}
