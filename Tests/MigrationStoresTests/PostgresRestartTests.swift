import Foundation
import MigrationEngine
import MigrationStores
import Testing

/// The PostgreSQL server restarts (a planned restart, a failover) or goes away for a while in
/// the middle of a run: the journal and the key store reconnect and the run goes on with nothing
/// doubled or lost. The server is the test's own (``PrivatePostgres``), really stopped and started.
@Suite("The PostgreSQL stores outlast a server restart", .enabled(if: TestPostgres.url != nil), .serialized)
struct PostgresRestartTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let me = LockOwner(user: "ops", host: "host-a", pid: 1000)
    let reconnect = PostgresReconnect(patience: .seconds(20), firstPause: .milliseconds(100), longestPause: .milliseconds(500))

    private func keys(_ prefix: UInt8, count: Int) -> [StoredKey] {
        (0..<count).map { n in
            StoredKey(
                keyData: Data([prefix, UInt8(n)] + Array(repeating: 7, count: 14)), transmissionRisk: 0,
                intervalNumber: 2_900_000, regions: ["US"], createdAt: start)
        }
    }

    /// A server of the test's own, the journal (lease taken) and the key store in a schema on it.
    private func openStores() throws -> (PrivatePostgres, Journal, PostgresKeyStore, Int64) {
        let server = try PrivatePostgres()
        let location = try server.freshSchema()
        let journal = Journal(storage: try PostgresJournalStorage(location: location, reconnect: reconnect))
        let store = try PostgresKeyStore(location: location)
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        return (server, journal, store, fence)
    }

    @Test("restart the server between two steps: the journal and the key store go on")
    func restartBetweenSteps() async throws {
        let (server, journal, store, fence) = try openStores()
        var machine = RunStateMachine(mode: .readOnly)
        try journal.startRun(planHash: "sha256:abc", machine: machine, fence: fence, at: start)
        _ = try machine.handle(.begin)
        _ = try await store.importBatch([FileImport(url: "a.zip", digest: "da", keys: keys(1, count: 10))], at: start)

        try server.restart()

        let appended = machine
        _ = try await within(.seconds(60), "the journal append after the restart") {
            try journal.append(.checks, machine: appended, detail: ["n": "1"], fence: fence, at: self.start.addingTimeInterval(1))
        }
        let outcomes = try await within(.seconds(60), "the key import after the restart") {
            try await store.importBatch([FileImport(url: "b.zip", digest: "db", keys: self.keys(2, count: 10))], at: self.start)
        }
        #expect(outcomes.map(\.inserted) == [10])
        #expect(try await store.keyCount() == 20)
        #expect(try journal.records().map(\.sequence) == [1, 2])
        #expect(try journal.firstBrokenRecord() == nil)
    }

    @Test("a server away for two seconds: calls made meanwhile wait for it and then answer")
    func awayForAWhile() async throws {
        let (server, journal, store, fence) = try openStores()
        #expect(try await store.keyCount() == 0)

        try server.stop()
        let comesBack = Task.detached {
            try await Task.sleep(for: .seconds(2))
            try server.start()
        }
        let began = ContinuousClock.now
        let count = try await within(.seconds(60), "the key count while the server was away") { try await store.keyCount() }
        _ = try await within(.seconds(60), "the lease renewal while the server was away") {
            try journal.renewLease(fence: fence, now: self.start.addingTimeInterval(1), ttl: .seconds(15))
        }
        try await comesBack.value
        #expect(count == 0)
        #expect(ContinuousClock.now - began >= .seconds(1), "the calls answered only once the server was back")
        #expect(try journal.holder(at: start.addingTimeInterval(2))?.fence == fence)
    }
}
