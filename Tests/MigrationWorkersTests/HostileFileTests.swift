import CaseReport
import ExposureExport
import Foundation
import MigrationStores
import Testing
@testable import MigrationWorkers

/// Issue 20, items 1 and 2: keys the importer refuses by rule are counted per reason and per
/// file (never dropped without a word), and files that make no sense get a decision.
@Suite("Odd keys and files that make no sense")
struct HostileFileTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let trusted = TrustedStateKeySet([.init(key: TestKeys.state.trustedKey)])

    func importer(_ fixture: FeedFixture, keyStore: any ExposureKeyStore) -> FeedImporter {
        FeedImporter(
            feed: fixture.store, indexPath: "\(fixture.root)/index.txt", root: fixture.root, trustedKeys: trusted,
            transform: ImportedKeyTransform(region: "US-XX"), keyStore: keyStore,
            retry: TransientRetry(attempts: 1, backoff: .milliseconds(1)), environment: testEnvironment(now: now))
    }

    /// Keys that look like keys but break a rule: rolling period 0 and 145, key data of 15, 17 and 0 bytes.
    static func oddKeys() -> [ExportKey] {
        var keys = FeedFixture.keys(5)
        keys[0].rollingPeriod = 0
        keys[0].hasExplicitRollingPeriod = true
        keys[1].rollingPeriod = 145
        keys[1].hasExplicitRollingPeriod = true
        keys[2].keyData = Data(repeating: 1, count: 15)
        keys[3].keyData = Data(repeating: 2, count: 17)
        keys[4].keyData = Data()
        return keys
    }

    @Test("every refused key is counted per reason and per file, in the summary and in the store", arguments: KeyStoreKind.allCases)
    func refusedKeysCounted(kind: KeyStoreKind) async throws {
        var fixture = FeedFixture()
        let odd = try await fixture.add(FeedFixture.keys(10) + Self.oddKeys(), signer: TestKeys.state)
        let clean = try await fixture.add(FeedFixture.keys(10), signer: TestKeys.state)
        let store = try kind.make(in: fixture.folder)
        let summary = try await importer(fixture, keyStore: store).runPass()

        #expect(summary.imported == 2 && summary.keysInserted == 20)
        #expect(summary.keysRejected == 5)
        let expected = [
            RefusedKeys(code: "key-length", reason: "key data is 0 bytes, not 16", count: 1),
            RefusedKeys(code: "key-length", reason: "key data is 15 bytes, not 16", count: 1),
            RefusedKeys(code: "key-length", reason: "key data is 17 bytes, not 16", count: 1),
            RefusedKeys(code: "rolling-period", reason: "rolling period 0 is outside 1…144", count: 1),
            RefusedKeys(code: "rolling-period", reason: "rolling period 145 is outside 1…144", count: 1),
        ]
        #expect(summary.refusedKeys == [odd: expected])
        for text in [
            "5 keys refused by rule", "key-length 3", "key data is 0 bytes, not 16: 1", "key data is 15 bytes, not 16: 1",
            "key data is 17 bytes, not 16: 1", "rolling-period 2", "rolling period 0 is outside 1…144: 1",
            "rolling period 145 is outside 1…144: 1",
        ] {
            #expect(summary.text.contains(text), "\(summary.text)")
        }
        let records = Dictionary(uniqueKeysWithValues: try await store.importFiles().map { ($0.url, $0) })
        #expect(records[odd]?.refusedKeys == expected)
        #expect(records[clean]?.refusedKeys == [])
        if kind == .sqlite {
            CaseReport.record(
                10, case: "keys of rolling period 0 or 145, key data of 0, 15 or 17 bytes (and RECURSIVE, risk 9, onset out of range)",
                handling: "refused one by one, counted per file and reason in the key store; the rest of the file imported",
                operatorSees: summary.text.split(separator: "\n").first { $0.contains("refused by rule") }.map(String.init) ?? summary.text,
                test: "HostileFileTests.refusedKeysCounted, HostileInputCommandTests.refusedKeys")
        }
    }

    @Test("a file whose window starts after it ends is refused, with the reason")
    func startAfterEnd() async throws {
        var fixture = FeedFixture()
        let reversed = try await fixture.add(FeedFixture.keys(5), signer: TestKeys.state, end: FeedFixture.firstDay - 1)
        let store = InMemoryKeyStore()
        let summary = try await importer(fixture, keyStore: store).runPass()
        #expect(summary.imported == 0)
        let reason = try #require(summary.failed.first { $0.file == reversed }?.reason)
        #expect(reason.contains("starts after it ends"), "\(reason)")
        CaseReport.record(
            20, case: "a file whose window starts after it ends", handling: "refused, failed for good", operatorSees: reason,
            test: "HostileFileTests.startAfterEnd")
        #expect(try await store.keyCount() == 0)
        #expect(try await store.importFiles().first?.status == .failed)
    }

    @Test("a file of another region is refused, naming both regions")
    func otherRegion() async throws {
        var fixture = FeedFixture()
        let german = try await fixture.add(FeedFixture.keys(5), signer: TestKeys.state, region: "DE")
        try await fixture.add(FeedFixture.keys(5), signer: TestKeys.state, region: "us-xx")
        let store = InMemoryKeyStore()
        let summary = try await importer(fixture, keyStore: store).runPass()
        #expect(summary.imported == 1, "a region differing only in case is the same region")
        let reason = try #require(summary.failed.first { $0.file == german }?.reason)
        #expect(reason.contains("`DE`") && reason.contains("`US-XX`"), "\(reason)")
        CaseReport.record(
            30, case: "a file whose region is not `state.region`", handling: "refused, failed for good", operatorSees: reason,
            test: "HostileFileTests.otherRegion")
        #expect(try await store.keyCount() == 5)
    }

    @Test("a file that ends in the future is imported with a warning that says how its keys are dated; one within the clock skew is not")
    func fromTheFuture() async throws {
        var fixture = FeedFixture()
        // 2028: far beyond any clock skew. Its keys are old (expired), so none is held back.
        let future = try await fixture.add(FeedFixture.keys(5), signer: TestKeys.state, end: 1_830_000_000)
        // Still valid keys, in a file that ends 5 minutes ahead: within the skew, no warning.
        let start = Int32(now.timeIntervalSince1970 / 600) - 10
        let valid = (0..<3).map { _ in
            ExportKey(
                keyData: Data((0..<16).map { _ in UInt8.random(in: 0...255) }), transmissionRiskLevel: 2,
                rollingStartIntervalNumber: start, reportType: 1)
        }
        try await fixture.add(valid, signer: TestKeys.state, end: UInt64(now.timeIntervalSince1970) + 300)
        let store = InMemoryKeyStore()
        let summary = try await importer(fixture, keyStore: store).runPass()
        #expect(summary.imported == 2 && summary.keysInserted == 8)
        #expect(summary.warnings.map(\.file) == [future])
        let warning = try #require(summary.warnings.first?.reason)
        #expect(warning.contains("2027-12-28") && warning.contains("dated by their own rolling periods"), "\(warning)")
        #expect(warning.contains("none of its 5 keys is held back"), "\(warning)")
        CaseReport.record(
            40, case: "a file that ends in the future (beyond 10 min)",
            handling: "imported; keys dated by their own rolling periods; warning kept on the file's record", operatorSees: warning,
            test: "HostileFileTests.fromTheFuture")
        #expect(summary.text.contains("WARNING: 1 files end in the future"), "\(summary.text)")
        #expect(try await store.importFiles().first { $0.url == future }?.note == warning)
    }
}

/// The key stores the importer tests run against.
enum KeyStoreKind: String, CaseIterable, CustomStringConvertible {
    case memory, sqlite
    var description: String { rawValue }

    func make(in folder: URL) throws -> any ExposureKeyStore {
        switch self {
        case .memory: InMemoryKeyStore()
        case .sqlite: try SQLiteKeyStore(path: folder.appendingPathComponent("national-\(UUID().uuidString).db").path)
        }
    }
}
