import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationEngine
import MigrationStores
import Testing
@testable import MigrationWorkers

/// The proof's three outcomes, fed the bad cases a real state CDN produces: each of these
/// passed (`holds`) on the code before three-valued coverage.
@Suite("Coverage never goes green on missing data: holds, fails, inconclusive")
struct CoverageOutcomeTests {
    /// Five state files of 20 keys served over loopback HTTP, and a national feed on disk with all of them.
    struct Feeds {
        var state = FeedFixture()
        var national = FeedFixture(root: "exposureKeyExport-US")
        let server: LoopbackFeedServer

        init() async throws {
            var all: [ExportKey] = []
            for _ in 0..<5 {
                let keys = FeedFixture.keys(20)
                try await state.add(keys, signer: TestKeys.client)
                all += keys
            }
            try await national.add(all, signer: TestKeys.national)
            server = try await state.serve()
        }

        var stateReader: PhoneFeedReader {
            PhoneFeedReader(
                store: HTTPBlobStore(base: server.baseURL, limits: .init(fileTimeout: .milliseconds(1500))),
                indexPath: "\(state.root)/index.txt", key: TestKeys.client.trustedKey,
                retry: TransientRetry(attempts: 2, backoff: .milliseconds(1)), environment: testEnvironment())
        }

        var nationalReader: PhoneFeedReader {
            PhoneFeedReader(store: national.store, indexPath: "\(national.root)/index.txt", key: TestKeys.national.trustedKey, environment: testEnvironment())
        }

        func prover(snapshot: URL? = nil, accepted: [LossAcceptance] = []) -> CoverageProver {
            CoverageProver(state: stateReader, national: nationalReader, snapshot: snapshot.map(CoverageBaseline.file), acceptedLosses: { accepted })
        }
    }

    /// A state feed and a national feed of one file each with the same `count` keys.
    static func oneFileEach(_ count: Int, stateSigner: ExportSigner = TestKeys.client) async throws -> (FeedFixture, FeedFixture, [ExportKey]) {
        var state = FeedFixture()
        var national = FeedFixture(root: "exposureKeyExport-US")
        let keys = FeedFixture.keys(count)
        try await state.add(keys, signer: stateSigner)
        try await national.add(keys, signer: TestKeys.national)
        return (state, national, keys)
    }

    /// The proof over two feeds on disk: the state's read with the client key, the national with the national key.
    static func prover(_ state: FeedFixture, _ national: FeedFixture, snapshot: URL?) -> CoverageProver {
        CoverageProver(
            state: PhoneFeedReader(store: state.store, indexPath: "\(state.root)/index.txt", key: TestKeys.client.trustedKey, environment: testEnvironment()),
            national: PhoneFeedReader(
                store: national.store, indexPath: "\(national.root)/index.txt", key: TestKeys.national.trustedKey,
                environment: testEnvironment()),
            snapshot: snapshot.map(CoverageBaseline.file))
    }

    enum Unavailable: String, CaseIterable {
        case serverError = "HTTP 503 after the retries"
        case forbidden = "HTTP 403"
        case missing = "a listed file the CDN does not have (404)"
        case cutShort = "a transfer cut short (less than the declared length)"
        case timedOut = "no answer within the deadline"
    }

    @Test(
        "a listed file that cannot be read makes the proof inconclusive, never holds; the gate's check says so and names it",
        arguments: Unavailable.allCases)
    func unavailable(_ fault: Unavailable) async throws {
        let feeds = try await Feeds()
        defer { Task { await feeds.server.stop() } }
        let bad = feeds.state.files[2].name
        switch fault {
        case .serverError: feeds.server.inject(.status(503), for: bad, times: nil)
        case .forbidden: feeds.server.inject(.status(403), for: bad, times: nil)
        case .missing: try FileManager.default.removeItem(at: feeds.state.folder.appendingPathComponent(bad))
        case .cutShort: feeds.server.inject(.cutShort(keep: 100), for: bad, times: nil)
        case .timedOut: feeds.server.inject(.hold, for: bad, times: nil)
        }
        let snapshot = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-baseline-\(UUID().uuidString)")
        let report = try await feeds.prover(snapshot: snapshot).prove()
        #expect(report.verdict == .inconclusive, "\(fault.rawValue): \(report.summary)")
        #expect(!report.holds)
        #expect(report.state.unavailableFiles.map(\.file) == [bad])
        #expect(report.state.keys == 80)
        #expect(report.summary.contains("inconclusive") && report.summary.contains(bad))
        #expect(!FileManager.default.fileExists(atPath: snapshot.path), "no baseline is saved from an inconclusive proof")

        let check = await CoverageCheck(prover: feeds.prover(snapshot: snapshot)).evaluate()
        #expect(check.outcome == .inconclusive)
        #expect(check.reason.contains(bad) && check.reason.contains("accept-loss"))
        feeds.server.releaseHeld()

        // The CDN serves the file again: the proof holds on all 100 keys.
        feeds.server.clearFaults()
        if fault == .missing {
            let keys = feeds.state.files[2].keys
            let batch = ExportBatch(
                start: FeedFixture.firstDay + 2 * FeedFixture.day, end: FeedFixture.firstDay + 3 * FeedFixture.day, region: "US-XX", keys: keys)
            let file = try require(batch.files(root: feeds.state.root, maxKeysPerFile: 100_000).first)
            try await feeds.state.store.write(try ExportArchiveWriter(signers: [TestKeys.client]).archive(for: file.contents), to: file.name)
        }
        let healed = try await feeds.prover(snapshot: snapshot).prove()
        #expect(healed.holds && healed.state.keys == 100, "\(healed.summary)")
    }

    @Test("a file read whole that a phone rejects (forged, or stored cut short) is left out, loudly; an unreadable national file makes the proof inconclusive")
    func rejectedAndNationalUnavailable() async throws {
        var state = FeedFixture()
        var national = FeedFixture(root: "exposureKeyExport-US")
        let keys = FeedFixture.keys(10)
        try await state.add(keys, signer: TestKeys.client)
        let forged = try await state.add(FeedFixture.keys(10), signer: TestKeys.forger)
        try await national.add(keys, signer: TestKeys.national)
        let stateReader = PhoneFeedReader(
            store: state.store, indexPath: "\(state.root)/index.txt", key: TestKeys.client.trustedKey, environment: testEnvironment())
        let nationalReader = PhoneFeedReader(
            store: national.store, indexPath: "\(national.root)/index.txt", key: TestKeys.national.trustedKey,
            retry: TransientRetry(attempts: 1), environment: testEnvironment())
        let report = CoverageReport.compare(state: try await stateReader.read(), national: try await nationalReader.read())
        #expect(report.holds)
        #expect(report.state.rejectedFiles.map(\.file) == [forged])
        #expect(report.summary.contains("LEFT OUT: 1 state files fail a phone's verification"))

        // A file stored cut short is read whole (its length is what the store says): phones reject it too.
        let stored = try await state.add(FeedFixture.keys(4), signer: TestKeys.client)
        let bytes = try await state.store.read(stored)
        try await state.store.write(bytes.prefix(bytes.count / 2), to: stored)
        let short = CoverageReport.compare(state: try await stateReader.read(), national: try await nationalReader.read())
        #expect(short.holds && short.state.rejectedFiles.map(\.file) == [forged, stored])

        try await national.add(FeedFixture.keys(3), signer: TestKeys.national)
        try FileManager.default.removeItem(at: national.folder.appendingPathComponent(national.files[1].name))
        let unread = CoverageReport.compare(state: try await stateReader.read(), national: try await nationalReader.read())
        #expect(unread.verdict == .inconclusive)
        #expect(unread.national.unavailableFiles.map(\.file) == [national.files[1].name])
    }

    @Test("keys that are not 16 bytes count as missing until a loss is accepted; an accepted loss is listed with who and why")
    func malformedKeysAndAcceptedLoss() async throws {
        var state = FeedFixture()
        var national = FeedFixture(root: "exposureKeyExport-US")
        let keys = FeedFixture.keys(10)
        var odd = keys
        odd.append(ExportKey(keyData: Data(repeating: 7, count: 15), rollingStartIntervalNumber: keys[0].rollingStartIntervalNumber))
        let file = try await state.add(odd, signer: TestKeys.client)
        try await national.add(keys, signer: TestKeys.national)
        let stateReader = PhoneFeedReader(
            store: state.store, indexPath: "\(state.root)/index.txt", key: TestKeys.client.trustedKey, environment: testEnvironment())
        let nationalReader = PhoneFeedReader(
            store: national.store, indexPath: "\(national.root)/index.txt", key: TestKeys.national.trustedKey, environment: testEnvironment())
        let stateKeys = try await stateReader.read()
        let nationalKeys = try await nationalReader.read()

        let blocked = CoverageReport.compare(state: stateKeys, national: nationalKeys)
        #expect(blocked.verdict == .fails)
        #expect(blocked.missingKeys == 1 && blocked.missingByFile == [.init(file: file, missing: 0, malformed: 1)])
        #expect(blocked.summary.contains("not 16 bytes"))

        let loss = LossAcceptance(file: file, by: "alice", note: "a 15-byte key no phone can use", at: Date())
        let accepted = CoverageReport.compare(state: stateKeys, national: nationalKeys, accepted: [loss])
        #expect(accepted.holds)
        #expect(accepted.accepted == [.init(file: file, keys: 1, unavailable: false, by: "alice", note: "a 15-byte key no phone can use")])
        #expect(accepted.summary.contains("accepted losses: \(file) (1 keys, by alice: a 15-byte key no phone can use)"))
    }

    @Test("an unreadable state file's loss can be accepted on the record, and then the proof holds")
    func acceptedUnavailable() async throws {
        let feeds = try await Feeds()
        defer { Task { await feeds.server.stop() } }
        let bad = feeds.state.files[4].name
        feeds.server.inject(.status(404), for: bad, times: nil)
        let report = try await feeds.prover(accepted: [LossAcceptance(file: bad, by: "bob", note: "lost by the CDN", at: Date())]).prove()
        #expect(report.holds, "\(report.summary)")
        #expect(report.accepted.map(\.file) == [bad] && report.accepted[0].unavailable)
    }

    @Test("a file republished under its old name with other content ends the standing proof; so does another national key")
    func republishedFile() async throws {
        let (state, national, keys) = try await Self.oneFileEach(10)
        let name = state.files[0].name
        let snapshot = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-baseline-\(UUID().uuidString)")
        let prover = Self.prover(state, national, snapshot: snapshot)
        #expect(try await prover.prove().holds)
        #expect(try await prover.stillHolds())

        // Same name, same index, five more keys: the index digest alone would call the proof standing.
        let batch = ExportBatch(start: FeedFixture.firstDay, end: FeedFixture.firstDay + FeedFixture.day, region: "US-XX", keys: keys + FeedFixture.keys(5))
        let file = try require(batch.files(root: state.root, maxKeysPerFile: 100_000).first)
        #expect(file.name == name)
        try await state.store.write(try ExportArchiveWriter(signers: [TestKeys.client]).archive(for: file.contents), to: name)
        #expect(try await prover.stillHolds() == false)
        let again = try await prover.prove()
        #expect(again.verdict == .fails && again.missingKeys == 5)

        let other = ExportSigner(key: .generate(), keyID: "310", keyVersion: "v3")
        try await state.store.write(
            try ExportArchiveWriter(signers: [TestKeys.client]).archive(
                for: try require(
                    ExportBatch(start: FeedFixture.firstDay, end: FeedFixture.firstDay + FeedFixture.day, region: "US-XX", keys: keys)
                        .files(root: state.root, maxKeysPerFile: 100_000).first
                ).contents), to: name)
        #expect(try await prover.prove().holds)
        let rekeyed = CoverageProver(
            state: prover.state,
            national: PhoneFeedReader(
                store: national.store, indexPath: "\(national.root)/index.txt", key: other.trustedKey, environment: testEnvironment()),
            snapshot: prover.snapshot)
        #expect(try await rekeyed.standingProof() == nil, "a proof taken with another national key does not stand")
    }

    @Test("after the cut-over keys phones no longer match are not missing; keys still within 14 days are")
    func expiry() async throws {
        var state = FeedFixture()
        let keys = FeedFixture.keys(10)
        try await state.add(keys, signer: TestKeys.client)
        let baseline = try await PhoneFeedReader(
            store: state.store, indexPath: "\(state.root)/index.txt", key: TestKeys.client.trustedKey,
            environment: testEnvironment()
        ).read()
        let end = TimeInterval(Int(keys[0].rollingStartIntervalNumber ?? 0) + 144) * 600
        let nothing = FeedKeySet(indexDigest: "x")
        let soon = CoverageReport.compare(state: baseline, national: nothing, owedAt: Date(timeIntervalSince1970: end + 13 * 86_400))
        #expect(soon.verdict == .fails && soon.missingKeys == 10 && soon.expiredKeys == 0)
        let later = CoverageReport.compare(state: baseline, national: nothing, owedAt: Date(timeIntervalSince1970: end + 14 * 86_400 + 1))
        #expect(later.holds && later.expiredKeys == 10, "\(later.summary)")
        #expect(later.summary.contains("10 state keys no longer matched by phones"))
    }

    @Test("the baseline is sealed before the swap: never replaced, and the proof before the swap is not taken again")
    func sealedBaseline() async throws {
        let (state, national, _) = try await Self.oneFileEach(10)
        let snapshot = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-baseline-\(UUID().uuidString)")
        let prover = Self.prover(state, national, snapshot: snapshot)
        #expect(try await prover.prove().holds)
        try prover.sealBaseline(now: Date(), replacing: "")
        await #expect(throws: CoverageProver.BaselineSealed.self) { _ = try await prover.prove() }
        #expect(throws: CoverageSnapshot.Unreadable.self) { try CoverageSnapshot.write(FeedKeySet(), to: .file(snapshot)) }
        #expect(try CoverageSnapshot.read(from: .file(snapshot)).keys.count == 10)
    }

    @Test("a state client index that already lists national files is refused as the baseline")
    func alreadySwapped() async throws {
        let (state, national, _) = try await Self.oneFileEach(10, stateSigner: TestKeys.national)
        let prover = Self.prover(state, national, snapshot: nil)
        await #expect(throws: CoverageProver.AlreadySwapped.self) { _ = try await prover.prove() }
    }
}
