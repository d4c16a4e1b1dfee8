import ExposureExport
import Foundation
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("The client mirror: staged, verified, swapped in one write, restorable")
struct ClientMirrorTests {
    /// A national feed on disk, the state's CDN with its own client index, and the mirror.
    struct Setup {
        var national = FeedFixture(root: "exposureKeyExport-US")
        let cdn = FeedFixture()
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-mirror-\(UUID().uuidString).json")

        init(nationalFiles: Int = 3) async throws {
            for _ in 0..<nationalFiles { try await national.add(FeedFixture.keys(5), signer: TestKeys.national) }
            try await cdn.store.write(Data("exposureKeyExport-US-XX/1793404800-1793491200-00001.zip".utf8), to: "exposureKeyExport-US-XX/index.txt")
            try await cdn.store.write(Data("state file".utf8), to: "exposureKeyExport-US-XX/1793404800-1793491200-00001.zip")
        }

        var mirror: ClientMirror {
            ClientMirror(
                source: national.store, sourceIndexPath: "exposureKeyExport-US/index.txt", nationalKey: TestKeys.national.trustedKey,
                destination: cdn.store, root: "exposureKeyExport-US-XX", state: .file(stateFile), environment: testEnvironment())
        }

        func clientIndex() async throws -> String {
            String(decoding: try await cdn.store.read("exposureKeyExport-US-XX/index.txt"), as: UTF8.self)
        }
    }

    @Test("staging copies and verifies every national file under national-<name> and publishes nothing")
    func staging() async throws {
        let setup = try await Setup()
        let summary = try await setup.mirror.stage()
        #expect(summary.copied == 3)
        #expect(try await setup.clientIndex() == "exposureKeyExport-US-XX/1793404800-1793491200-00001.zip")
        let staged = String(decoding: try await setup.cdn.store.read("exposureKeyExport-US-XX/index.txt.staged"), as: UTF8.self)
        #expect(
            staged.split(separator: "\n").map(String.init)
                == setup.national.files.map {
                    "exposureKeyExport-US-XX/national-\($0.name.split(separator: "/").last!)"
                })
        #expect(try await setup.mirror.isStaged())
        #expect(try await setup.mirror.stage().copied == 0)
    }

    @Test("a steady pass reads only staged copies whose version changed; a day later it reads every copy again")
    func readsOnlyWhatChanged() async throws {
        let setup = try await Setup()
        let clock = TestClock()
        func mirror(_ destination: any BlobStore) -> ClientMirror {
            var mirror = ClientMirror(
                source: setup.national.store, sourceIndexPath: "exposureKeyExport-US/index.txt",
                nationalKey: TestKeys.national.trustedKey, destination: destination, root: "exposureKeyExport-US-XX",
                state: .file(setup.stateFile), environment: clock.environment)
            mirror.fullVerificationEvery = .seconds(86_400)
            return mirror
        }
        let counting = CountingStore(setup.cdn.store)
        let copies = { counting.reads { $0.contains("/national-") } }
        #expect(try await mirror(counting).stage().copied == 3)
        let afterFirst = copies()
        clock.advance(60)
        #expect(try await mirror(counting).stage().copied == 0)
        #expect(copies() == afterFirst, "a pass with nothing new reads no staged copy")

        // A copy rewritten (a new version) is read again, found damaged and copied afresh.
        let damaged = "exposureKeyExport-US-XX/national-\(setup.national.files[1].name.split(separator: "/").last!)"
        try await setup.cdn.store.write(Data("damaged".utf8), to: damaged)
        #expect(try await mirror(counting).stage().copied == 1)
        #expect(copies() == afterFirst + 2, "the rewritten copy alone is read: once to verify, once to read back the new one")

        // Damage that leaves the version alone is caught by the full verification a day on.
        let unchanging = UnchangingVersionStore(inner: setup.cdn.store)
        #expect(try await mirror(unchanging).stage().copied == 0)
        try await setup.cdn.store.write(Data("damaged".utf8), to: damaged)
        clock.advance(3600)
        #expect(try await mirror(unchanging).stage().copied == 0, "within the day the version is trusted")
        clock.advance(86_400)
        #expect(try await mirror(unchanging).stage().copied == 1, "the day's full verification reads every copy")
        #expect(try await mirror(unchanging).stage().copied == 0)
    }

    @Test("a national file that does not verify is never staged, and two lines with one file name stop staging")
    func refusals() async throws {
        var setup = try await Setup()
        try await setup.national.add(FeedFixture.keys(5), signer: TestKeys.forger)
        await #expect(throws: MirrorError.self) { try await setup.mirror.stage() }
        #expect(try await setup.cdn.store.exists("exposureKeyExport-US-XX/index.txt.staged") == false)

        let duplicate = try await Setup()
        let first = duplicate.national.files[0].name
        let text = ExportIndex(entries: [first, "exposureKeyExport-US/other/\(first.split(separator: "/").last!)"]).text
        try await duplicate.national.store.write(Data(text.utf8), to: "exposureKeyExport-US/index.txt")
        await #expect(throws: MirrorError.duplicateBasename(first: first, second: "exposureKeyExport-US/other/\(first.split(separator: "/").last!)")) {
            try await duplicate.mirror.stage()
        }
    }

    @Test("publishing swaps the client index in one write, keeps the state's index, and restore puts it back")
    func swapAndRestore() async throws {
        let setup = try await Setup()
        try await setup.mirror.stage()
        try await setup.mirror.publish()
        #expect(try await setup.clientIndex().hasPrefix("exposureKeyExport-US-XX/national-"))
        #expect(try await setup.mirror.publishedIndexIsOurs())
        let saved = try await setup.cdn.store.read("exposureKeyExport-US-XX/index.txt.before-cut-over")
        #expect(String(decoding: saved, as: UTF8.self) == "exposureKeyExport-US-XX/1793404800-1793491200-00001.zip")
        #expect(try MirrorState.load(from: setup.stateFile).swappedAt != nil)
        try await setup.mirror.restore()
        #expect(try await setup.clientIndex() == "exposureKeyExport-US-XX/1793404800-1793491200-00001.zip")
        #expect(try await setup.cdn.store.exists("exposureKeyExport-US-XX/1793404800-1793491200-00001.zip"))
    }

    @Test("steady passes mirror new files, delete files the published index dropped, and stop when someone else rewrote the index")
    func steadyState() async throws {
        var setup = try await Setup()
        try await setup.mirror.stage()
        try await setup.mirror.publish()
        try await setup.national.add(FeedFixture.keys(5), signer: TestKeys.national)
        try await setup.mirror.steadyPass()
        #expect(try await setup.clientIndex().split(separator: "\n").count == 4)
        // The national feed drops its oldest file: it leaves the mirror after the swap.
        let remaining = setup.national.files.dropFirst().map(\.name)
        try await setup.national.store.write(Data(ExportIndex(entries: Array(remaining)).text.utf8), to: "exposureKeyExport-US/index.txt")
        try await setup.mirror.steadyPass()
        #expect(try await setup.clientIndex().split(separator: "\n").count == 3)
        let dropped = setup.mirror.localName(setup.national.files[0].name)
        #expect(try await setup.cdn.store.exists(dropped) == false)
        // The state's export worker writes the client index again: the mirror stops.
        try await setup.cdn.store.write(Data("exposureKeyExport-US-XX/1793491200-1793577600-00002.zip".utf8), to: "exposureKeyExport-US-XX/index.txt")
        await #expect(throws: MirrorError.indexRewritten(path: "exposureKeyExport-US-XX/index.txt")) { try await setup.mirror.steadyPass() }
        #expect(try await setup.clientIndex() == "exposureKeyExport-US-XX/1793491200-1793577600-00002.zip")
        var takeBack = setup.mirror
        takeBack.overwriteForeignIndex = true
        try await takeBack.steadyPass()
        #expect(try await setup.mirror.publishedIndexIsOurs())
    }
}

/// A store that dies right after one write reached it: the process is gone before it can
/// record anything more (the crash window between a write and its commit).
struct DiesAfterWriting: BlobStore {
    struct Died: Error {}
    let inner: any BlobStore
    let path: String
    func read(_ path: String) async throws -> Data { try await inner.read(path) }
    func write(_ data: Data, to path: String) async throws {
        try await inner.write(data, to: path)
        if path == self.path { throw Died() }
    }
    func exists(_ path: String) async throws -> Bool { try await inner.exists(path) }
    func list(under prefix: String) async throws -> [String] { try await inner.list(under: prefix) }
    func delete(_ path: String) async throws { try await inner.delete(path) }
}

@Suite("The client index is published intent → write → commit")
struct ClientMirrorCrashTests {
    @Test("a crash after the index write and before its commit leaves an index the next pass knows as ours and commits")
    func crashBetweenWriteAndCommit() async throws {
        var setup = try await ClientMirrorTests.Setup()
        try await setup.mirror.stage()
        try await setup.mirror.publish()
        try await setup.national.add(FeedFixture.keys(5), signer: TestKeys.national)
        try await setup.mirror.stage()
        let dying = ClientMirror(
            source: setup.national.store, sourceIndexPath: "exposureKeyExport-US/index.txt", nationalKey: TestKeys.national.trustedKey,
            destination: DiesAfterWriting(inner: setup.cdn.store, path: "exposureKeyExport-US-XX/index.txt"),
            root: "exposureKeyExport-US-XX", state: .file(setup.stateFile), environment: testEnvironment())
        await #expect(throws: DiesAfterWriting.Died.self) { try await dying.publish() }
        #expect(try await setup.clientIndex().split(separator: "\n").count == 4, "the write reached the CDN")
        // The next process: the index it finds is the one the dead one wrote, not someone else's.
        try await setup.mirror.steadyPass()
        #expect(try await setup.mirror.publishedIndexIsOurs())
        let state = try MirrorState.load(from: setup.stateFile)
        let published = try await setup.cdn.store.read("exposureKeyExport-US-XX/index.txt").sha256Hex
        #expect(state.publishing == nil && state.publishedDigest == published)
    }
}

@Suite("The mirror's memory")
struct MirrorStateTests {
    @Test("the swap time survives a save with its milliseconds (the cut-over latency is measured from it)")
    func milliseconds() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-state-\(UUID().uuidString).json")
        var state = MirrorState()
        state.swappedAt = Date(timeIntervalSince1970: 1_795_000_000.731)
        try state.save(to: url)
        let loaded = try MirrorState.load(from: url)
        #expect(abs(loaded.swappedAt!.timeIntervalSince1970 - 1_795_000_000.731) < 0.001)
    }
}

@Suite("The mirror-stage step")
struct MirrorStageWorkerTests {
    @Test("before the national feed has an index the step does nothing and counts as done; once it has one, it stages")
    func waitsForTheNationalFeed() async throws {
        var national = FeedFixture(root: "exposureKeyExport-US")
        let cdn = FeedFixture()
        let mirror = ClientMirror(
            source: national.store, sourceIndexPath: "exposureKeyExport-US/index.txt",
            nationalKey: TestKeys.national.trustedKey, destination: cdn.store, root: "exposureKeyExport-US-XX",
            state: .file(FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-m-\(UUID().uuidString).json")),
            environment: testEnvironment())
        let worker = MirrorStageWorker(mirror: mirror)
        try await worker.apply()
        try await worker.verify()
        #expect(try await worker.isDone())
        #expect(try await cdn.store.exists("exposureKeyExport-US-XX/index.txt.staged") == false)
        try await national.add(FeedFixture.keys(3), signer: TestKeys.national)
        #expect(try await worker.isDone() == false)
        try await worker.apply()
        try await worker.verify()
        #expect(try await cdn.store.exists("exposureKeyExport-US-XX/index.txt.staged"))
    }
}
