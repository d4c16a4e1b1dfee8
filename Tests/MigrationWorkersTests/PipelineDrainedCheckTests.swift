import ExposureExport
import Foundation
import MigrationEngine
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("Nothing opens the gate while any part of the pipeline still owes a file")
struct PipelineDrainedCheckTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test("a client file not re-signed (new, or waiting for a retry), keys in no national file, a file not staged: each blocks, named")
    func owedFiles() async throws {
        var client = FeedFixture()
        for _ in 0..<2 { try await client.add(FeedFixture.keys(5), signer: TestKeys.client) }
        let server = try await client.serve()
        defer { Task { await server.stop() } }
        let second = FeedFixture(root: "exposureKeyExport-US-XX-second")
        let resigner = FeedResigner(
            source: HTTPBlobStore(base: server.baseURL), sourceIndexPath: "\(client.root)/index.txt", clientKey: TestKeys.client.trustedKey,
            destination: second.store, destinationRoot: second.root, signer: TestKeys.state, ledger: InMemoryPublishLedger(),
            retry: TransientRetry(attempts: 1), environment: testEnvironment(now: now))
        let keyStore = InMemoryKeyStore()
        let nationalFolder = FeedFixture(root: "exposureKeyExport-US")
        let writer = FeedExportWriter(
            keyStore: keyStore, destination: nationalFolder.store, root: nationalFolder.root, region: "US",
            signer: TestKeys.national, maxKeysPerFile: 40, environment: testEnvironment(now: now))
        let cdn = FeedFixture()
        let mirror = ClientMirror(
            source: nationalFolder.store, sourceIndexPath: "\(nationalFolder.root)/index.txt", nationalKey: TestKeys.national.trustedKey,
            destination: cdn.store, root: cdn.root,
            state: .file(cdn.folder.appendingPathComponent("mirror.json")), environment: testEnvironment(now: now))
        let check = PipelineDrainedCheck(resigner: resigner, nationalExport: writer, mirror: mirror)

        let fresh = await check.evaluate()
        #expect(fresh.outcome == .pending)
        #expect(fresh.reason.contains("dual-export has not re-signed 2 client files: \(client.files[0].name), \(client.files[1].name)"))
        #expect(fresh.reason.contains("the national feed has no index yet"))

        server.inject(.status(503), for: client.files[1].name, times: nil)
        let summary = try await resigner.runPass()
        #expect(summary.retrying.map(\.file) == [client.files[1].name])
        let retrying = await check.evaluate()
        #expect(retrying.reason.contains("dual-export has not re-signed 1 client files: \(client.files[1].name)"))
        server.clearFaults()
        try await resigner.runPass()

        _ = try await keyStore.importFile(
            url: "a.zip", digest: "d",
            keys: FeedFixture.keys(3).map {
                StoredKey(
                    keyData: $0.keyData, transmissionRisk: 1, intervalNumber: $0.rollingStartIntervalNumber ?? 0, daysSinceOnset: 2,
                    regions: ["US"], createdAt: now.addingTimeInterval(-7200))
            }, at: now)
        let due = await check.evaluate()
        #expect(due.outcome == .pending && due.reason.contains("3 imported keys are due in the national feed but in no national file yet"))
        #expect(!due.reason.contains("dual-export"))

        try await writer.runPass()
        let unstaged = await check.evaluate()
        #expect(unstaged.outcome == .pending && unstaged.reason.contains("1 national files are not staged in the client mirror"))

        try await mirror.stage()
        let drained = await check.evaluate()
        #expect(drained.outcome == .passed, "\(drained.reason)")
    }
}
