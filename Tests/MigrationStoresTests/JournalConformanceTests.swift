import Foundation
import GRDB
import MigrationEngine
import MigrationStores
import PostgresNIO
import Synchronization
import Testing

/// The journal storages every journal test runs against: the SQLite file and, when
/// scripts/with-postgres provides a throwaway server, a PostgreSQL schema of its own.
enum JournalDriver: String, CaseIterable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }

    static var allCases: [JournalDriver] { TestPostgres.url == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// A new, empty journal, a way to change one record's detail behind its back, and a way to
    /// open the same journal again (another connection, as another process would).
    func make() throws -> (
        journal: Journal, tamper: (_ sequence: Int64, _ detail: String) async throws -> Void,
        reopen: @Sendable () throws -> Journal
    ) {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-journal-\(UUID().uuidString)/journal.db").path
            return (
                try Journal.open(path: path),
                { sequence, detail in
                    try DatabaseQueue(path: path).write { try $0.execute(sql: "UPDATE record SET detail = ? WHERE seq = ?", arguments: [detail, sequence]) }
                }, { try Journal.open(path: path) }
            )
        case .postgres:
            let location = try TestPostgres.freshSchema()
            return (
                Journal(storage: try PostgresJournalStorage(location: location)),
                { sequence, detail in
                    let database = try PostgresDatabase(location: location, migrations: [])
                    _ = try await database.query(
                        PostgresQuery(
                            unsafeSQL: "UPDATE \(location.schema).journal_record SET detail = $1 WHERE seq = $2",
                            binds: try Self.binds(detail, sequence)))
                }, { Journal(storage: try PostgresJournalStorage(location: location)) }
            )
        }
    }

    private static func binds(_ detail: String, _ sequence: Int64) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(detail)
        binds.append(sequence)
        return binds
    }
}

@Suite("The journal and the run lock (every storage)")
struct JournalConformanceTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let me = LockOwner(user: "ops", host: "host-a", pid: 1000)
    let other = LockOwner(user: "ops2", host: "host-a", pid: 2000)

    @Test("records chain by hash; a changed record is found by number", arguments: JournalDriver.allCases)
    func chainAndTamper(driver: JournalDriver) async throws {
        let (journal, tamper, _) = try driver.make()
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        var machine = RunStateMachine(mode: .readOnly)
        try journal.startRun(planHash: "sha256:abc", machine: machine, fence: fence, at: start)
        _ = try machine.handle(.begin)
        for index in 1...5 {
            try journal.append(.checks, machine: machine, detail: ["n": "\(index)"], fence: fence, at: start.addingTimeInterval(Double(index) + 0.123))
        }
        #expect(try journal.records().count == 6)
        #expect(try journal.records().map(\.sequence) == Array(1...6))
        #expect(try journal.lastRecord()?.sequence == 6)
        #expect(try journal.firstBrokenRecord() == nil)
        #expect(try journal.run() == JournalRun(planHash: "sha256:abc", mode: .readOnly, requiredGates: machine.requiredGates, startedAt: start))

        try await tamper(4, #"{"n":"9"}"#)
        #expect(try journal.firstBrokenRecord() == 4)

        // A broken chain stops every state-changing verb (exit 7), before any lock or record.
        try journal.releaseLease(fence: fence)
        let engine = Orchestrator(
            journal: journal, registry: WorkerRegistry(),
            definition: RunDefinition(planHash: "sha256:abc", mode: .readOnly, attempts: 1, stepTimeout: .seconds(5)))
        await #expect(throws: JournalError.tampered(sequence: 4)) { _ = try await engine.apply() }
        #expect(throws: JournalError.tampered(sequence: 4)) { _ = try engine.approve(.keyRotation, by: "a", note: "") }
        #expect(throws: JournalError.tampered(sequence: 4)) { _ = try engine.acceptLoss(files: ["f"], by: "a", note: "n") }
        await #expect(throws: JournalError.tampered(sequence: 4)) { _ = try await engine.abort(restoreClientIndex: false) }
        #expect(try journal.records().count == 6, "nothing was appended to a broken journal")
    }

    @Test(
        "a holder renews its lease by owner between passes (a steady apply sleeping its interval); once taken over, renewing fails",
        arguments: JournalDriver.allCases)
    func renewByOwner(driver: JournalDriver) throws {
        let journal = try driver.make().journal
        _ = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        try journal.renewLease(ownedBy: me, now: start.addingTimeInterval(10), ttl: .seconds(15))
        // Without the renewal the lease ended at +15 s and this takeover would succeed.
        #expect(throws: JournalError.self) { _ = try journal.acquireLease(owner: other, now: start.addingTimeInterval(20), ttl: .seconds(15)) { _ in true } }
        _ = try journal.acquireLease(owner: other, now: start.addingTimeInterval(26), ttl: .seconds(15)) { _ in true }
        #expect(throws: JournalError.self) { try journal.renewLease(ownedBy: me, now: start.addingTimeInterval(27), ttl: .seconds(15)) }
    }

    @Test("a held lease confirms while it is this fence's and fails once another process took the run over", arguments: JournalDriver.allCases)
    func heldLeaseConfirm(driver: JournalDriver) throws {
        let journal = try driver.make().journal
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        let held = HeldLease()
        try held.confirm(now: start)
        held.hold(journal, fence: fence, ttl: .seconds(15))
        try held.confirm(now: start.addingTimeInterval(5))
        // Stopped past its lease; another process takes the run over.
        _ = try journal.acquireLease(owner: other, now: start.addingTimeInterval(30), ttl: .seconds(15)) { _ in true }
        #expect(throws: JournalError.fenced(expected: fence, current: fence + 1)) { try held.confirm(now: start.addingTimeInterval(31)) }
    }

    @Test(
        "a worker document is saved under the run lock, read by another connection, and refused to a holder that lost the run",
        arguments: JournalDriver.allCases)
    func workerDocuments(driver: JournalDriver) throws {
        let (journal, _, reopen) = try driver.make()
        #expect(try journal.document("mirror") == nil)
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        let held = HeldLease()
        #expect(throws: JournalError.self, "nothing is saved without the run lock") { try held.saveDocument("mirror", Data("{}".utf8)) }
        held.hold(journal, fence: fence, ttl: .seconds(15))
        try held.saveDocument("mirror", Data(#"{"publishedDigest":"a"}"#.utf8), now: start)
        try held.saveDocument("mirror", Data(#"{"publishedDigest":"b"}"#.utf8), now: start.addingTimeInterval(1))
        #expect(try reopen().document("mirror") == Data(#"{"publishedDigest":"b"}"#.utf8), "replaced, and seen from another connection")
        #expect(try held.journal?.document("mirror") == Data(#"{"publishedDigest":"b"}"#.utf8))
        #expect(try journal.document("other") == nil)

        // Stopped past its lease; another process takes the run over and saves its own state.
        let replica = try reopen()
        let (newFence, _) = try replica.acquireLease(owner: other, now: start.addingTimeInterval(30), ttl: .seconds(15)) { _ in true }
        try replica.saveDocument("mirror", Data(#"{"publishedDigest":"c"}"#.utf8), fence: newFence, at: start.addingTimeInterval(31))
        #expect(throws: JournalError.fenced(expected: fence, current: newFence)) {
            try held.saveDocument("mirror", Data(#"{"publishedDigest":"stale"}"#.utf8), now: self.start.addingTimeInterval(32))
        }
        #expect(try replica.document("mirror") == Data(#"{"publishedDigest":"c"}"#.utf8), "the stale holder changed nothing")
    }

    @Test(
        "binary documents (NUL bytes, not UTF-8) come back byte for byte; several are saved together or, fenced, not at all",
        arguments: JournalDriver.allCases)
    func binaryDocuments(driver: JournalDriver) throws {
        let (journal, _, reopen) = try driver.make()
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        let held = HeldLease()
        held.hold(journal, fence: fence, ttl: .seconds(15))
        let records = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) }) + Data([0, 0xff, 0xfe, 0])
        try held.saveDocuments(["baseline": Data(#"{"count":1}"#.utf8), "baseline-keys": records], now: start)
        #expect(try reopen().document("baseline-keys") == records)
        #expect(try reopen().document("baseline") == Data(#"{"count":1}"#.utf8))
        // A binary document later saved as text (and back) keeps only the newest form.
        try held.saveDocuments(["baseline-keys": Data("text now".utf8)], now: start.addingTimeInterval(1))
        #expect(try reopen().document("baseline-keys") == Data("text now".utf8))
        try held.saveDocuments(["baseline-keys": Data()], now: start.addingTimeInterval(2))
        #expect(try reopen().document("baseline-keys") == Data(), "an empty document is not a missing one")

        let replica = try reopen()
        _ = try replica.acquireLease(owner: other, now: start.addingTimeInterval(30), ttl: .seconds(15)) { _ in true }
        #expect(throws: JournalError.self) {
            try held.saveDocuments(["baseline": Data(#"{"count":2}"#.utf8), "baseline-keys": records], now: self.start.addingTimeInterval(31))
        }
        #expect(try replica.document("baseline") == Data(#"{"count":1}"#.utf8) && replica.document("baseline-keys") == Data(), "neither was saved")
    }

    @Test("a run from before documents: the mirror's old file is read until the journal holds its state, then set aside", arguments: JournalDriver.allCases)
    func legacyDocumentImport(driver: JournalDriver) throws {
        let (journal, _, reopen) = try driver.make()
        let legacy = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-legacy-\(UUID().uuidString).mirror.json")
        defer {
            try? FileManager.default.removeItem(at: legacy)
            try? FileManager.default.removeItem(at: legacy.appendingPathExtension("imported"))
        }
        try Data(#"{"publishedDigest":"old"}"#.utf8).write(to: legacy)
        let held = HeldLease()
        let document = WorkerDocument.journal("mirror", lease: held, open: { try reopen() }, legacyFile: legacy)
        #expect(try document.load() == Data(#"{"publishedDigest":"old"}"#.utf8), "read from the old file while the journal has none")
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        held.hold(journal, fence: fence, ttl: .seconds(15))
        try document.save(Data(#"{"publishedDigest":"new"}"#.utf8))
        #expect(!FileManager.default.fileExists(atPath: legacy.path))
        #expect(FileManager.default.fileExists(atPath: legacy.appendingPathExtension("imported").path))
        held.release()
        #expect(try document.load() == Data(#"{"publishedDigest":"new"}"#.utf8), "read from the journal by a process without the lock")
    }

    @Test("a second process gets `lock held` naming the holder; the holder renews", arguments: JournalDriver.allCases)
    func lockHeld(driver: JournalDriver) throws {
        let journal = try driver.make().journal
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        #expect(
            throws: JournalError.lockHeld(
                holder: LockHolder(
                    user: "ops", host: "host-a", pid: 1000, fence: fence,
                    expires: start.addingTimeInterval(15)))
        ) {
            try journal.acquireLease(owner: other, now: start.addingTimeInterval(5), ttl: .seconds(15)) { _ in true }
        }
        try journal.renewLease(fence: fence, now: start.addingTimeInterval(10), ttl: .seconds(15))
        #expect(throws: JournalError.self) {
            try journal.acquireLease(owner: other, now: start.addingTimeInterval(20), ttl: .seconds(15)) { _ in true }
        }
        #expect(try journal.holder(at: start.addingTimeInterval(20))?.pid == 1000)
    }

    @Test("a lease of a dead process on this host is taken over at once; the old holder is fenced off", arguments: JournalDriver.allCases)
    func deadProcessTakeover(driver: JournalDriver) throws {
        let journal = try driver.make().journal
        let (oldFence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        let (newFence, tookOver) = try journal.acquireLease(owner: other, now: start.addingTimeInterval(1), ttl: .seconds(15)) { $0 != 1000 }
        #expect(newFence == oldFence + 1)
        #expect(tookOver?.pid == 1000)
        let machine = RunStateMachine(mode: .readOnly)
        #expect(throws: JournalError.fenced(expected: oldFence, current: newFence)) {
            try journal.append(.checks, machine: machine, fence: oldFence, at: start)
        }
        #expect(throws: JournalError.fenced(expected: oldFence, current: newFence)) {
            try journal.renewLease(fence: oldFence, now: start, ttl: .seconds(15))
        }
        try journal.append(.checks, machine: machine, fence: newFence, at: start)
    }

    @Test("a live holder on another host is taken over only after its lease expires", arguments: JournalDriver.allCases)
    func expiryTakeover(driver: JournalDriver) throws {
        let journal = try driver.make().journal
        let remote = LockOwner(user: "ops", host: "host-b", pid: 1000)
        _ = try journal.acquireLease(owner: remote, now: start, ttl: .seconds(15)) { _ in false }
        #expect(throws: JournalError.self) {
            try journal.acquireLease(owner: me, now: start.addingTimeInterval(14), ttl: .seconds(15)) { _ in false }
        }
        let (fence, _) = try journal.acquireLease(owner: me, now: start.addingTimeInterval(16), ttl: .seconds(15)) { _ in false }
        #expect(fence == 2)
    }

    @Test("forced unlock and release free the lease; the next holder's fence is higher", arguments: JournalDriver.allCases)
    func forcedUnlock(driver: JournalDriver) throws {
        let journal = try driver.make().journal
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        #expect(try journal.forceUnlock()?.pid == 1000)
        #expect(try journal.holder(at: start) == nil)
        let (next, _) = try journal.acquireLease(owner: other, now: start, ttl: .seconds(15)) { _ in true }
        #expect(next == fence + 1)
        try journal.releaseLease(fence: fence) // an old fence releases nothing
        #expect(try journal.holder(at: start)?.pid == 2000)
        try journal.releaseLease(ownedBy: other)
        #expect(try journal.holder(at: start) == nil)
    }

    @Test("writers on separate connections racing on one journal never lose or duplicate a record", arguments: JournalDriver.allCases)
    func concurrentAppends(driver: JournalDriver) async throws {
        let (journal, _, reopen) = try driver.make()
        let machine = RunStateMachine(mode: .readOnly)
        try journal.startRun(planHash: "sha256:abc", machine: machine, fence: 0, at: start)
        let start = self.start
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                let journal = try reopen()
                group.addTask {
                    for index in 0..<10 {
                        try journal.append(.approval, machine: machine, detail: ["w": "\(writer)", "n": "\(index)"], fence: 0, at: start)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try journal.records().map(\.sequence) == Array(1...41))
        #expect(try journal.firstBrokenRecord() == nil)
    }
}

@Suite("Journal storages: opening")
struct JournalOpeningTests {
    @Test("a read-only open of a missing SQLite journal creates nothing")
    func readOnlySQLite() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-journal-\(UUID().uuidString)/journal.db").path
        #expect(throws: JournalError.missing(path: path)) { try Journal.open(path: path, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path))
    }

    @Test(
        "a read-only open of a PostgreSQL schema without a journal is `missing` and creates nothing",
        .enabled(if: TestPostgres.url != nil))
    func readOnlyPostgres() async throws {
        let location = try TestPostgres.freshSchema()
        #expect(throws: JournalError.missing(path: location.description)) { try PostgresJournalStorage(location: location, readOnly: true) }
        let database = try PostgresDatabase(location: location, migrations: [], migrate: false)
        #expect(try await database.isMissing())
    }
}

@Suite("Racing first runs on a new SQLite journal or store")
struct SQLiteFirstOpenRaceTests {
    @Test("eight openers of one new journal and one new key store at once all succeed; the schema is made once")
    func racingFirstOpens() throws {
        for round in 0..<5 {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-race-\(UUID().uuidString)")
            let journalPath = folder.appendingPathComponent("journal.db").path
            let storePath = folder.appendingPathComponent("keys.db").path
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                do {
                    if index % 2 == 0 { _ = try SQLiteJournalStorage(path: journalPath) } else { _ = try SQLiteKeyStore(path: storePath) }
                } catch {
                    failures.withLock { $0.append("round \(round), opener \(index): \(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try Journal.open(path: journalPath).run() == nil)
        }
    }
}
