import ExposureExport
import Foundation
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("The national feed is written from the key store, each key in exactly one file")
struct FeedExportWriterTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func stored(_ count: Int) -> [StoredKey] {
        FeedFixture.keys(count).map {
            StoredKey(keyData: $0.keyData, transmissionRisk: Int($0.transmissionRiskLevel ?? 1), intervalNumber: $0.rollingStartIntervalNumber ?? 0,
                      daysSinceOnset: 2, regions: ["US-XX"], createdAt: now.addingTimeInterval(-3600))
        }
    }

    func writer(_ store: any ExposureKeyStore, _ destination: any BlobStore, now: Date) -> FeedExportWriter {
        FeedExportWriter(keyStore: store, destination: destination, root: "exposureKeyExport-US", region: "US",
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

    @Test("files verify with the national key and hold every stored key once", arguments: ["memory", "sqlite"])
    func writes(driver: String) async throws {
        let store: any ExposureKeyStore = driver == "memory" ? InMemoryKeyStore()
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
            StoredKey(keyData: $0.keyData, transmissionRisk: 1, intervalNumber: $0.rollingStartIntervalNumber ?? 0,
                      daysSinceOnset: 2, regions: ["US-XX"], createdAt: now.addingTimeInterval(-3600))
        }
        _ = try await store.importFile(url: "a.zip", digest: "d", keys: keys, at: now)
        let worker = ExportFeedWorker(writer: FeedExportWriter(
            keyStore: store, destination: InMemoryBlobStore(), root: "exposureKeyExport-US", region: "US", signer: TestKeys.national,
            maxKeysPerFile: 40, environment: testEnvironment(now: now)))
        #expect(try await worker.isDone() == false)
    }
}
