import ExposureExport
import Foundation
import MigrationEngine
import MigrationStores
import Testing
@testable import MigrationWorkers

/// The swap itself: what it re-checks immediately before it replaces the client index, and
/// what a crash at each instant leaves. The state's CDN is the client mirror's location, as in
/// a real plan: after the swap the "state feed" the proof would read is the national one.
@Suite("The cut-over swap re-checks what it publishes and keeps its baseline through a crash")
struct CutOverWorkerTests {
    struct Setup {
        var cdn = FeedFixture()
        var national = FeedFixture(root: "exposureKeyExport-US")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-cutover-\(UUID().uuidString)")
        var nationalKey = TestKeys.national.trustedKey

        init() async throws {
            var keys: [ExportKey] = []
            for _ in 0..<3 {
                let day = FeedFixture.keys(15)
                try await cdn.add(day, signer: TestKeys.client)
                keys += day
            }
            try await national.add(keys, signer: TestKeys.national)
        }

        var mirror: ClientMirror {
            ClientMirror(
                source: national.store, sourceIndexPath: "\(national.root)/index.txt", nationalKey: nationalKey,
                destination: cdn.store, root: cdn.root, state: .file(folder.appendingPathComponent("mirror.json")), environment: testEnvironment())
        }

        var prover: CoverageProver {
            CoverageProver(
                state: PhoneFeedReader(store: cdn.store, indexPath: "\(cdn.root)/index.txt", key: TestKeys.client.trustedKey, environment: testEnvironment()),
                national: PhoneFeedReader(store: national.store, indexPath: "\(national.root)/index.txt", key: nationalKey, environment: testEnvironment()),
                snapshot: .file(folder.appendingPathComponent("state-keys")))
        }

        func worker(rotationRequest: URL? = nil, catchUp: [any MigrationWorker] = []) -> CutOverWorker {
            CutOverWorker(mirror: mirror, prover: prover, rotationRequest: rotationRequest, catchUp: catchUp)
        }

        func clientIndex() async throws -> String {
            String(decoding: try await cdn.store.read("\(cdn.root)/index.txt"), as: UTF8.self)
        }
    }

    @Test("killed right after the swap, before its record: the resumed step keeps the state's 45 keys as the baseline (it read 0 before)")
    func killAfterSwap() async throws {
        let setup = try await Setup()
        let worker = setup.worker()
        try await worker.apply()
        #expect(try await setup.clientIndex().contains("national-"))
        // The crash: the swap happened, the mirror's memory of it did not.
        try FileManager.default.removeItem(at: setup.folder.appendingPathComponent("mirror.json"))
        #expect(try await worker.isDone() == false)
        try await worker.apply()
        #expect(try await worker.isDone())
        #expect(try CoverageSnapshot.read(from: .file(setup.folder.appendingPathComponent("state-keys"))).keys.count == 45)
        let after = try await CutOverCoverageCheck(
            clientMirror: PhoneFeedReader(
                store: setup.cdn.store, indexPath: "\(setup.cdn.root)/index.txt", key: TestKeys.national.trustedKey,
                environment: testEnvironment()),
            snapshot: .file(setup.folder.appendingPathComponent("state-keys"))
        ).report()
        #expect(after.holds && after.state.keys == 45, "\(after.summary)")
    }

    @Test("a staged copy that no longer verifies with the national key stops the swap; the client index stays the state's")
    func stagedCopyReverified() async throws {
        let setup = try await Setup()
        let before = try await setup.clientIndex()
        try await setup.mirror.stage()
        #expect(try await setup.prover.prove().holds)
        // Damage at rest in the staged copy after the proof (the proof read the national feed itself).
        let staged = setup.mirror.localName(setup.national.files[0].name)
        var bytes = try await setup.cdn.store.read(staged)
        bytes[bytes.count / 3] ^= 0xFF
        try await setup.cdn.store.write(bytes, to: staged)
        await #expect(throws: MirrorError.self) { try await setup.worker().apply() }
        #expect(try await setup.clientIndex() == before)
    }

    @Test("a national key file swapped after the rotation request was written stops the swap and the request is not rewritten")
    func rotationKeyChanged() async throws {
        var setup = try await Setup()
        let requestFolder = setup.folder.appendingPathComponent("rotation-request")
        let request = RotationRequest(migration: "m", region: "US-XX", key: TestKeys.national.trustedKey, clientIndex: "x", stateExportsGoTo: nil)
        try request.write(to: requestFolder)
        let other = ExportSigner(key: .generate(), keyID: "310", keyVersion: "v3")
        setup.nationalKey = other.trustedKey
        let before = try await setup.clientIndex()
        await #expect(throws: MirrorError.rotationKeyChanged(requested: request.fingerprint, now: other.trustedKey.publicKey.fingerprint.description)) {
            try await setup.worker(rotationRequest: requestFolder).apply()
        }
        #expect(try await setup.clientIndex() == before)
        let rewrite = RotationRequestWorker(
            request: RotationRequest(migration: "m", region: "US-XX", key: other.trustedKey, clientIndex: "x", stateExportsGoTo: nil), folder: requestFolder)
        await #expect(throws: MirrorError.self) { try await rewrite.apply() }
        #expect(RotationRequest.writtenFingerprint(in: requestFolder) == request.fingerprint)
    }

    @Test("a client index rewritten after the baseline was sealed is not overwritten by the swap")
    func clientIndexChangedAfterSeal() async throws {
        var setup = try await Setup()
        try await setup.mirror.stage()
        #expect(try await setup.prover.prove().holds)
        try setup.prover.sealBaseline(now: Date(), replacing: (try await setup.cdn.store.read("\(setup.cdn.root)/index.txt")).sha256Hex)
        try await setup.cdn.add(FeedFixture.keys(3), signer: TestKeys.client)
        let rewritten = try await setup.clientIndex()
        await #expect(throws: MirrorError.clientIndexChangedBeforeSwap(path: "\(setup.cdn.root)/index.txt")) { try await setup.worker().apply() }
        #expect(try await setup.clientIndex() == rewritten)
    }

    /// Writes one more state file into the CDN and the national feed when it runs: the state
    /// published after the last waiting pass, and the catch-up brings it over.
    struct LatePublisher: MigrationWorker {
        let publish: @Sendable () async throws -> Void
        var name: String { "late" }
        func describePlannedWork() async throws -> String { "" }
        func isDone() async throws -> Bool { false }
        func apply() async throws {}
        func verify() async throws {}
        func steadyPass() async throws { try await publish() }
    }

    @Test("a state file published after the last waiting pass is caught up before the swap instead of failing it for good")
    func catchUpBeforeSwap() async throws {
        var setup = try await Setup()
        try await setup.mirror.stage()
        #expect(try await setup.prover.prove().holds)
        let late = FeedFixture.keys(4)
        try await setup.cdn.add(late, signer: TestKeys.client)
        #expect(try await setup.prover.prove().holds == false, "the national feed lacks the late file")
        let national = setup.national
        let catchUp = LatePublisher {
            var feed = national; try await feed.add(late, signer: TestKeys.national)
        }
        try await setup.worker(catchUp: [catchUp]).apply()
        #expect(try await setup.clientIndex().split(separator: "\n").count == 2)
        #expect(try CoverageSnapshot.read(from: .file(setup.folder.appendingPathComponent("state-keys"))).keys.count == 49)
    }

    @Test("a process that lost the run lock never replaces the client index: the lease is confirmed immediately before the write")
    func fencedProcessDoesNotPublish() async throws {
        let setup = try await Setup()
        let before = try await setup.clientIndex()
        struct LostLease: Error {}
        var fenced = setup.mirror
        fenced.environment.confirmLease = { throw LostLease() }
        let worker = CutOverWorker(mirror: fenced, prover: setup.prover)
        await #expect(throws: LostLease.self) { try await worker.apply() }
        #expect(try await setup.clientIndex() == before, "the stopped-and-resumed holder published the national index")

    }

    @Test("with clientFeed.origin, restore serves the state's current index: its files verified, copied into the CDN first, the index last")
    func restoreFromOrigin() async throws {
        let setup = try await Setup()
        try await setup.worker().apply()
        // After the swap the state kept publishing to its origin: its old files and a new one.
        var origin = FeedFixture()
        for file in setup.cdn.files { try await origin.store.write(try await setup.cdn.store.read(file.name), to: file.name) }
        origin.files = setup.cdn.files
        let newer = try await origin.add(FeedFixture.keys(5), signer: TestKeys.client)
        let source = (store: origin.store as any BlobStore, indexPath: "\(origin.root)/index.txt")
        try await setup.mirror.restore(stateKey: TestKeys.client.trustedKey, origin: source)
        #expect(try await setup.clientIndex() == String(decoding: try await origin.store.read("\(origin.root)/index.txt"), as: UTF8.self))
        #expect(try await setup.cdn.store.read(newer) == (try await origin.store.read(newer)))

        // An origin file phones holding the state's key cannot verify: nothing is restored.
        let other = try await Setup()
        try await other.worker().apply()
        let forged = try await origin.add(FeedFixture.keys(2), signer: TestKeys.forger)
        let published = try await other.clientIndex()
        let firstFile = try await other.cdn.store.read(other.cdn.files[0].name)
        await #expect(throws: MirrorError.self) { try await other.mirror.restore(stateKey: TestKeys.client.trustedKey, origin: source) }
        #expect(try await other.clientIndex() == published)
        #expect(try await other.cdn.store.exists(forged) == false)
        #expect(try await other.cdn.store.read(other.cdn.files[0].name) == firstFile, "a refused restore copied files")
    }

    @Test("restore republishes the index the swap replaced, checked; a stale or planted copy, or one listing a file phones reject, is refused")
    func restoreOnlyWhatIsTrue() async throws {
        let setup = try await Setup()
        let original = try await setup.clientIndex()
        // A copy an earlier run left behind: the first swap replaces it with the index it swaps out.
        try await setup.cdn.store.write(Data("exposureKeyExport-US-XX/old.zip".utf8), to: setup.mirror.previousIndexPath)
        try await setup.worker().apply()
        let baseline = try #require(try CoverageSnapshot.proof(in: .file(setup.folder.appendingPathComponent("state-keys"))))
        let saved = try await setup.cdn.store.read(setup.mirror.previousIndexPath)
        #expect(String(decoding: saved, as: UTF8.self) == original)

        // Planted beside the index after the swap: not the index the swap replaced.
        let planted = Data((original + "\nexposureKeyExport-US-XX/zzz-planted.zip").utf8)
        try await setup.cdn.store.write(planted, to: setup.mirror.previousIndexPath)
        await #expect(throws: MirrorError.self) {
            try await setup.mirror.restore(stateKey: TestKeys.client.trustedKey, expectedDigest: baseline.replacedIndexDigest)
        }
        #expect(try await setup.clientIndex().contains("national-"))

        // The right copy, but a file it lists was replaced by one phones reject.
        try await setup.cdn.store.write(saved, to: setup.mirror.previousIndexPath)
        let first = setup.cdn.files[0].name
        let good = try await setup.cdn.store.read(first)
        try await setup.cdn.store.write(
            try ExportArchiveWriter(signers: [TestKeys.forger]).archive(
                for: try require(
                    ExportBatch(start: FeedFixture.firstDay, end: FeedFixture.firstDay + FeedFixture.day, region: "US-XX", keys: FeedFixture.keys(2))
                        .files(root: setup.cdn.root, maxKeysPerFile: 100).first
                ).contents), to: first)
        await #expect(throws: MirrorError.self) {
            try await setup.mirror.restore(stateKey: TestKeys.client.trustedKey, expectedDigest: baseline.replacedIndexDigest)
        }
        try await setup.cdn.store.write(good, to: first)
        try await setup.mirror.restore(stateKey: TestKeys.client.trustedKey, expectedDigest: baseline.replacedIndexDigest)
        #expect(try await setup.clientIndex() == original)
    }
}

@Suite("Phones of both download algorithms reach every new file across the swap and later passes")
struct PhoneDownloadTests {
    @Test("resume-after-last-name and names-seen phones: what each fetches, and the files the first kind would never fetch")
    func simulation() {
        let state = ["r/1795996800-1796083200-00001.zip", "r/1796083200-1796169600-00001.zip"]
        let national = ["r/national-1795000000-1795003600-00001.zip", "r/national-1795003600-1795007200-00001.zip"]
        let swap = PhoneDownloadSimulation.change(from: state, to: national, sizes: [national[0]: 100, national[1]: 50])
        #expect(swap.noPhoneMissesAFile)
        #expect(swap.resumeAfterLastName == .init(files: 2, bytes: 150, skipped: []) && swap.namesSeen.files == 2)
        // A later pass: an old file expired out of the index, a new one added after the last name.
        let later = PhoneDownloadSimulation.change(from: national, to: [national[1], "r/national-1795007200-1795010800-00001.zip"])
        #expect(later.noPhoneMissesAFile && later.resumeAfterLastName.files == 1 && later.namesSeen.files == 1)
        // A state whose names sort after `national-`: resuming phones would skip the whole national feed.
        let lettered = PhoneDownloadSimulation.change(from: ["r/x-1.zip"], to: national)
        #expect(lettered.resumeAfterLastName.skipped == national && lettered.namesSeen.files == 2)
        #expect(lettered.summary.contains("would never fetch 2 files"))
    }

    @Test("the swap is refused when phones that resume after the last name would never fetch a national file; a normal swap records what phones fetch")
    func swapRefused() async throws {
        var setup = try await CutOverWorkerTests.Setup()
        let worker = setup.worker()
        try await worker.apply()
        let state = try MirrorState.load(from: setup.mirror.state)
        #expect(state.swapDownloads?.noPhoneMissesAFile == true)
        #expect(state.swapDownloads?.resumeAfterLastName.files == 1 && (state.swapDownloads?.resumeAfterLastName.bytes ?? 0) > 0)
        #expect(await worker.journalDetail()["phoneDownloads"]?.contains("phones that resume after the last name fetch 1 files") == true)

        let published = try await setup.cdn.store.read("\(setup.cdn.root)/index.txt")
        let lettered = Data("\(setup.cdn.root)/zzz-last.zip".utf8)
        #expect(throws: MirrorError.self) { try setup.mirror.phoneDownloads(replacing: lettered, with: published) }
        setup.cdn = FeedFixture()
    }
}
