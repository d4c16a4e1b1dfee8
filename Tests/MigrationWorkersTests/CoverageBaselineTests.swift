import ExposureExport
import Foundation
import MigrationEngine
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("The coverage baseline lives in the journal, fenced, and a run's older file is taken in once")
struct CoverageBaselineTests {
    let me = LockOwner(user: "ops", host: "host-a", pid: 1000)
    let other = LockOwner(user: "ops", host: "host-b", pid: 2000)
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func stateSet(_ count: Int) async throws -> FeedKeySet {
        var state = FeedFixture()
        try await state.add(FeedFixture.keys(count), signer: TestKeys.client)
        return try await PhoneFeedReader(
            store: state.store, indexPath: "\(state.root)/index.txt", key: TestKeys.client.trustedKey, environment: testEnvironment()
        )
        .read()
    }

    /// A new SQLite journal in a folder of its own and the baseline kept in it, saved under `held`.
    static func journalBaseline() throws -> (folder: URL, path: String, journal: Journal, held: HeldLease, baseline: CoverageBaseline) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-baseline-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("journal.db").path
        let held = HeldLease()
        return (folder, path, try Journal.open(path: path), held, CoverageBaseline.journal(lease: held, open: { try Journal.open(path: path) }, location: path))
    }

    @Test("saved only under the run lock; a replica reads what the holder proved and sealed; a holder that lost the run changes nothing")
    func fencedAndShared() async throws {
        let (folder, path, journal, held, baseline) = try Self.journalBaseline()
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try await stateSet(40)
        #expect(try CoverageSnapshot.proof(in: baseline) == nil)
        #expect(throws: JournalError.self, "nothing is saved without the run lock") { try CoverageSnapshot.write(set, to: baseline) }

        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        held.hold(journal, fence: fence, ttl: .seconds(15))
        try CoverageSnapshot.write(set, national: FeedKeySet(indexDigest: "n"), to: baseline)
        try CoverageSnapshot.seal(baseline, now: start, replacing: "abc")

        // Another process on another machine, holding nothing: reads it from the journal alone.
        let replica = CoverageBaseline.journal(lease: HeldLease(), open: { try Journal.open(path: path) }, location: path)
        let proof = try #require(try CoverageSnapshot.proof(in: replica))
        #expect(proof.keys == 40 && proof.sealedAt == start && proof.replacedIndexDigest == "abc")
        #expect(try CoverageSnapshot.read(from: replica).keys.count == 40)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("journal.state-keys").path))

        // Stopped past its lease: another process takes the run over.
        _ = try Journal.open(path: path).acquireLease(owner: other, now: start.addingTimeInterval(30), ttl: .seconds(15)) { _ in true }
        #expect(throws: CoverageSnapshot.Unreadable.self, "a sealed baseline is never replaced") { try CoverageSnapshot.write(set, to: baseline) }
        #expect(try CoverageSnapshot.read(from: replica).keys.count == 40)
    }

    @Test("a fenced holder's write is refused whole: the header and the records stay as they were")
    func staleHolderRefused() async throws {
        let (folder, path, journal, held, baseline) = try Self.journalBaseline()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        held.hold(journal, fence: fence, ttl: .seconds(15))
        try CoverageSnapshot.write(try await stateSet(10), to: baseline)
        let larger = try await stateSet(25)
        _ = try Journal.open(path: path).acquireLease(owner: other, now: start.addingTimeInterval(30), ttl: .seconds(15)) { _ in true }
        #expect(throws: JournalError.self) { try CoverageSnapshot.write(larger, to: baseline) }
        #expect(try CoverageSnapshot.read(from: baseline).keys.count == 10, "header and records still agree")
    }

    @Test("a run whose baseline is in the older file beside the journal: read from there, moved in whole at the first save, the file set aside")
    func legacyFileTakenIn() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-baseline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("journal.db").path
        let legacy = folder.appendingPathComponent("journal.state-keys")
        let journal = try Journal.open(path: path)
        try CoverageSnapshot.write(try await stateSet(30), national: FeedKeySet(indexDigest: "n"), to: .file(legacy))
        let held = HeldLease()
        let baseline = CoverageBaseline.journal(lease: held, open: { try Journal.open(path: path) }, location: path, legacyFile: legacy)
        #expect(try CoverageSnapshot.proof(in: baseline)?.keys == 30, "read from the old file while the journal has none")
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        held.hold(journal, fence: fence, ttl: .seconds(15))
        // Sealing changes only the header: the records come from the old file.
        try CoverageSnapshot.seal(baseline, now: start, replacing: "")
        #expect(!FileManager.default.fileExists(atPath: legacy.path))
        #expect(FileManager.default.fileExists(atPath: legacy.appendingPathExtension("imported").path))
        held.release()
        #expect(try CoverageSnapshot.proof(in: baseline)?.sealedAt == start)
        #expect(try CoverageSnapshot.read(from: baseline).keys.count == 30, "the records moved in with the header")
    }
}
