import ExposureExport
import Foundation
import MigrationStores
import Synchronization
import Testing
@testable import MigrationWorkers

/// A bucket (or the gateway in front of it) that stores something other than what was sent:
/// every `.zip` it is given is kept with one byte flipped, until `healed`.
private final class DamagingStore: BlobStore {
    let base = InMemoryBlobStore()
    let healed = Mutex(false)

    func read(_ path: String) async throws -> Data { try await base.read(path) }
    func write(_ data: Data, to path: String) async throws {
        var stored = data
        if path.hasSuffix(".zip"), !healed.withLock({ $0 }), !stored.isEmpty { stored[stored.count / 2] ^= 0xFF }
        try await base.write(stored, to: path)
    }
    func exists(_ path: String) async throws -> Bool { try await base.exists(path) }
    func list(under prefix: String) async throws -> [String] { try await base.list(under: prefix) }
    func delete(_ path: String) async throws { try await base.delete(path) }
}

@Suite("Files are read back and verified before an index names them")
struct ReadBackTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test(
        "national export: a file stored damaged fails the pass, is not recorded as written and no index names it; once the store is sound it is written again")
    func nationalExport() async throws {
        let keyStore = InMemoryKeyStore()
        let keys = FeedFixture.keys(30).map {
            StoredKey(
                keyData: $0.keyData, transmissionRisk: 4, intervalNumber: $0.rollingStartIntervalNumber ?? 0, daysSinceOnset: 2,
                regions: ["US-XX"], createdAt: now.addingTimeInterval(-3600))
        }
        _ = try await keyStore.importFile(url: "a.zip", digest: "a", keys: keys, at: now)
        let destination = DamagingStore()
        let writer = FeedExportWriter(
            keyStore: keyStore, destination: destination, root: "exposureKeyExport-US", region: "US",
            signer: TestKeys.national, maxKeysPerFile: 40, environment: testEnvironment(now: now))
        await #expect(throws: WorkerError.self) { try await writer.runPass() }
        #expect(try await keyStore.nationalFiles().allSatisfy { !$0.isWritten })
        #expect(try await destination.exists("exposureKeyExport-US/index.txt") == false)
        destination.healed.withLock { $0 = true }
        #expect(try await writer.runPass() == 1)
        #expect(try await destination.exists("exposureKeyExport-US/index.txt"))
    }

    @Test(
        "dual-export: a re-signed file stored damaged fails the pass without quarantining the client file; the second index does not name it; once sound it is published"
    )
    func dualExport() async throws {
        var client = FeedFixture()
        try await client.add(FeedFixture.keys(20), signer: TestKeys.client)
        let server = try await client.serve()
        defer { Task { await server.stop() } }
        let destination = DamagingStore()
        let ledger = InMemoryPublishLedger()
        let resigner = FeedResigner(
            source: HTTPBlobStore(base: server.baseURL), sourceIndexPath: "\(client.root)/index.txt",
            clientKey: TestKeys.client.trustedKey, destination: destination, destinationRoot: "exposureKeyExport-US-XX",
            signer: TestKeys.state, ledger: ledger, retry: TransientRetry(attempts: 1, backoff: .milliseconds(1)),
            environment: testEnvironment())
        await #expect(throws: WorkerError.self) { try await resigner.runPass() }
        #expect(try await destination.exists("exposureKeyExport-US-XX/index.txt") == false)
        #expect(try await ledger.entries().allSatisfy { $0.status != .quarantined }, "the client file is not at fault")
        destination.healed.withLock { $0 = true }
        #expect(try await resigner.runPass().published == 1)
        #expect(try await destination.exists("exposureKeyExport-US-XX/index.txt"))
    }
}
