import ExposureExport
import Foundation
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("Revisions reach phones: the national feed carries them and the proof covers them")
struct RevisionCoverageTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func revoked(_ key: ExportKey) -> ExportKey {
        ExportKey(keyData: key.keyData, transmissionRiskLevel: 6, rollingStartIntervalNumber: key.rollingStartIntervalNumber, reportType: 5)
    }

    func reader(_ fixture: FeedFixture, _ signer: ExportSigner) -> PhoneFeedReader {
        PhoneFeedReader(store: fixture.store, indexPath: "\(fixture.root)/index.txt", key: signer.trustedKey, environment: testEnvironment())
    }

    @Test("a revocation in the state feed must be in the national feed, as a revised key or as the key published revoked")
    func proofCoversRevisions() async throws {
        var state = FeedFixture()
        let keys = FeedFixture.keys(6)
        try await state.add(keys, signer: TestKeys.client)
        let revoking = try await state.add(FeedFixture.keys(2), revised: [revoked(keys[0])], signer: TestKeys.client)
        let stateKeys = try await reader(state, TestKeys.client).read()
        #expect(stateKeys.revisions.count == 1)

        var without = FeedFixture(root: "exposureKeyExport-US")
        try await without.add(keys + state.files[1].keys, signer: TestKeys.national)
        let blocked = CoverageReport.compare(state: stateKeys, national: try await reader(without, TestKeys.national).read())
        #expect(blocked.verdict == .fails && blocked.missingKeys == 0 && blocked.missingRevisions == 1)
        #expect(blocked.missingByFile == [.init(file: revoking, missing: 0, revisions: 1)])
        #expect(blocked.summary.contains("1 state revisions (confirmed or revoked) are not in the national feed"))

        var revisedLater = FeedFixture(root: "exposureKeyExport-US")
        try await revisedLater.add(keys + state.files[1].keys, signer: TestKeys.national)
        try await revisedLater.add([], revised: [revoked(keys[0])], signer: TestKeys.national)
        #expect(CoverageReport.compare(state: stateKeys, national: try await reader(revisedLater, TestKeys.national).read()).holds)

        // A national feed that never published the revoked key owes it nothing.
        var neverPublished = FeedFixture(root: "exposureKeyExport-US")
        try await neverPublished.add(Array(keys.dropFirst()) + state.files[1].keys, signer: TestKeys.national)
        #expect(CoverageReport.compare(state: stateKeys, national: try await reader(neverPublished, TestKeys.national).read()).holds)

        var publishedRevoked = FeedFixture(root: "exposureKeyExport-US")
        try await publishedRevoked.add([revoked(keys[0])] + Array(keys.dropFirst()) + state.files[1].keys, signer: TestKeys.national)
        #expect(CoverageReport.compare(state: stateKeys, national: try await reader(publishedRevoked, TestKeys.national).read()).holds)
    }

    @Test("a key the state publishes as revoked is owed to no feed: phones never use it")
    func revokedPrimaryNotOwed() async throws {
        var state = FeedFixture()
        let keys = FeedFixture.keys(4)
        try await state.add(keys + [revoked(FeedFixture.keys(1)[0])], signer: TestKeys.client)
        var national = FeedFixture(root: "exposureKeyExport-US")
        try await national.add(keys, signer: TestKeys.national)
        let stateKeys = try await reader(state, TestKeys.client).read()
        #expect(stateKeys.revokedKeys.count == 1 && stateKeys.keys.count == 4)
        #expect(CoverageReport.compare(state: stateKeys, national: try await reader(national, TestKeys.national).read()).holds)
    }

    @Test(
        "the national export writes a revision of an exported key as a revised key of a later file; a key revoked before its export is never published as positive"
    )
    func exportWritesRevisions() async throws {
        let store = InMemoryKeyStore()
        let destination = FeedFixture(root: "exposureKeyExport-US")
        let writer = FeedExportWriter(
            keyStore: store, destination: destination.store, root: destination.root, region: "US",
            signer: TestKeys.national, maxKeysPerFile: 40, environment: testEnvironment(now: now))
        let stored = FeedFixture.keys(3).map {
            StoredKey(
                keyData: $0.keyData, transmissionRisk: 2, intervalNumber: $0.rollingStartIntervalNumber ?? 0, reportType: "likely",
                daysSinceOnset: 2, regions: ["US"], createdAt: now.addingTimeInterval(-7200))
        }
        _ = try await store.importFile(url: "a.zip", digest: "a", keys: Array(stored[0..<2]), at: now.addingTimeInterval(-7200))
        try await writer.runPass()
        _ = try await store.importFile(
            url: "b.zip", digest: "b", keys: [stored[2]],
            revisions: [
                KeyRevision(keyData: stored[0].keyData, reportType: "negative", transmissionRisk: 6, daysSinceOnset: nil),
                KeyRevision(keyData: stored[2].keyData, reportType: "negative", transmissionRisk: 6, daysSinceOnset: nil),
            ], at: now.addingTimeInterval(-60))
        let later = FeedExportWriter(
            keyStore: store, destination: destination.store, root: destination.root, region: "US",
            signer: TestKeys.national, maxKeysPerFile: 40, environment: testEnvironment(now: now.addingTimeInterval(10)))
        try await later.runPass()
        let phone = try await reader(destination, TestKeys.national).read()
        #expect(phone.files.count == 2)
        #expect(phone.revisions[try require(DiagnosisKeyID(stored[0].keyData))]?.reportType == 5, "the revocation of an exported key")
        #expect(
            phone.keys[try require(DiagnosisKeyID(stored[2].keyData))] == nil && phone.revokedKeys.count == 1,
            "a key revoked before its first export goes out as revoked, never as positive")
        #expect(phone.revisions[try require(DiagnosisKeyID(stored[2].keyData))] == nil)
    }
}
