import ExposureExport
import Foundation
import MigrationEngine
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("The checks that guard importing")
struct CheckTests {
    let trusted = TrustedStateKeySet([.init(key: TestKeys.state.trustedKey)])

    func importer(_ fixture: FeedFixture, _ store: any ExposureKeyStore, now: Date) -> FeedImporter {
        FeedImporter(
            feed: fixture.store, indexPath: "\(fixture.root)/index.txt", root: fixture.root, trustedKeys: trusted,
            transform: ImportedKeyTransform(region: "US-XX"), keyStore: store, environment: testEnvironment(now: now))
    }

    @Test("import-complete: a retrying file blocks, and so does an untried one however new (it still owes its keys)")
    func importComplete() async throws {
        var fixture = FeedFixture()
        for _ in 0..<3 { try await fixture.add(FeedFixture.keys(2), signer: TestKeys.state) }
        let names = fixture.files.map(\.name)
        let store = InMemoryKeyStore()
        // The newest file's batch ended at firstDay + 3 days.
        let newestEnd = Date(timeIntervalSince1970: TimeInterval(FeedFixture.firstDay + 3 * FeedFixture.day))
        _ = try await store.importFile(url: names[0], digest: "d", keys: [], at: newestEnd)
        try await store.recordRetry(url: names[1], reason: "HTTP 503", at: newestEnd)
        let within = ImportCompleteCheck(importer: importer(fixture, store, now: newestEnd.addingTimeInterval(3600)), period: .seconds(86_400))
        let blocked = await within.evaluate()
        #expect(blocked.outcome == .failed)
        #expect(blocked.reason.contains("1 second-feed files wait for a retry: \(names[1]) (HTTP 503, 1 attempts)"))

        try await store.recordFailure(url: names[1], reason: "signature mismatch", at: newestEnd)
        // Today's main passed here ("1 newer than one period") and let the gate open without its keys.
        let untried = await within.evaluate()
        #expect(untried.outcome == .pending)
        #expect(untried.reason.contains("1 second-feed files are not imported yet: \(names[2]) (the oldest ends 1 h ago)"))

        _ = try await store.importFile(url: names[2], digest: "e", keys: [], at: newestEnd)
        let passed = await within.evaluate()
        #expect(passed.outcome == .passed)
        #expect(passed.reason == "2 files imported, 1 failed for good")
    }

    @Test("second-feed-verifies: names an untrusted signing key's fingerprint, lists files that do not verify, waits for a missing index")
    func secondFeed() async throws {
        var fixture = FeedFixture()
        let pending = await SecondFeedVerifiesCheck(
            feed: fixture.store, root: fixture.root, trustedKeys: trusted, signingKey: nil,
            environment: testEnvironment()
        ).evaluate()
        #expect(pending.outcome == .pending)

        try await fixture.add(FeedFixture.keys(2), signer: TestKeys.state)
        try await fixture.add(FeedFixture.keys(2), signer: TestKeys.forger)
        let check = SecondFeedVerifiesCheck(
            feed: fixture.store, root: fixture.root, trustedKeys: trusted,
            signingKey: (TestKeys.state.info.label, TestKeys.state.key.publicKey.fingerprint),
            environment: testEnvironment())
        let result = await check.evaluate()
        #expect(result.outcome == .failed)
        #expect(result.reason.hasPrefix("1 of 2 second-feed files do not verify with a trusted state key: \(fixture.files[1].name)"))

        let wrongKey = SecondFeedVerifiesCheck(
            feed: fixture.store, root: fixture.root, trustedKeys: trusted,
            signingKey: ("310.v2", TestKeys.forger.key.publicKey.fingerprint), environment: testEnvironment())
        let refused = await wrongKey.evaluate()
        #expect(refused.outcome == .failed)
        #expect(
            refused.reason.contains(
                "(\(TestKeys.forger.key.publicKey.fingerprint)) is not among trustedStateKeys (310.v2 \(TestKeys.state.key.publicKey.fingerprint))"))
    }
}
