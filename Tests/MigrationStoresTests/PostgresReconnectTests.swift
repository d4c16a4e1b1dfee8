import Foundation
import Logging
import MigrationEngine
@testable import MigrationStores
import PostgresNIO
import Testing

/// What a PostgreSQL store does when the server drops its connections (a restart, a failover,
/// an operator's pg_terminate_backend): the next call reconnects and the run goes on. The drop
/// is real: the server itself ends the backends, found by their application_name.
@Suite("The PostgreSQL journal reconnects after a dropped connection", .enabled(if: TestPostgres.url != nil))
struct PostgresReconnectTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let me = LockOwner(user: "ops", host: "host-a", pid: 1000)

    /// Ends every backend whose application_name is `name`, from a connection of its own, and
    /// returns how many it ended.
    private func dropConnections(named name: String, in location: PostgresLocation) async throws -> Int {
        // A schema of its own gives the admin pool another application_name: it must not end itself.
        let admin = try PostgresDatabase(location: try location.inSchema(location.schema + "_admin"), migrations: [])
        let rows = try await admin.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(name)') ended
                    """))
        return Int(try await rows.decode(Int64.self).first { _ in true } ?? 0)
    }

    private func journal(_ location: PostgresLocation, _ reconnect: PostgresReconnect = .default) throws -> Journal {
        Journal(storage: try PostgresJournalStorage(location: location, reconnect: reconnect))
    }

    // Watched failing first: before the journal looked at isClosed, the append after the drop
    // waited forever for an answer on the connection the server had ended.
    @Test("the journal reopens its connection after the server ended it and appends once")
    func journalReconnects() async throws {
        do {
            let reconnect = PostgresReconnect(patience: .seconds(5), firstPause: .milliseconds(100), longestPause: .seconds(1))
            let location = try TestPostgres.freshSchema()
            let journal = try journal(location, reconnect)
            let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
            var machine = RunStateMachine(mode: .readOnly)
            try journal.startRun(planHash: "sha256:abc", machine: machine, fence: fence, at: start)
            _ = try machine.handle(.begin)

            #expect(try await dropConnections(named: PostgresJournalStorage.applicationName(location), in: location) == 1)
            let append = {
                try journal.append(.checks, machine: machine, detail: ["n": "1"], fence: fence, at: self.start.addingTimeInterval(1))
            }
            _ = try append()
            #expect(try await dropConnections(named: PostgresJournalStorage.applicationName(location), in: location) == 1)
            try journal.renewLease(fence: fence, now: start.addingTimeInterval(2), ttl: .seconds(15))
            #expect(try journal.records().map(\.sequence) == [1, 2], "one record per append, none doubled")
            #expect(try journal.firstBrokenRecord() == nil)
            #expect(try journal.holder(at: start.addingTimeInterval(3))?.fence == fence, "the renewal after the drop stands")
        }
    }

    @Test("a holder whose lease was taken over while the server was away is fenced after the reconnect")
    func takenOverWhileAway() async throws {
        let location = try TestPostgres.freshSchema()
        let stopped = try journal(location)
        let (fence, _) = try stopped.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        var machine = RunStateMachine(mode: .readOnly)
        try stopped.startRun(planHash: "sha256:abc", machine: machine, fence: fence, at: start)
        _ = try machine.handle(.begin)
        #expect(try await dropConnections(named: PostgresJournalStorage.applicationName(location), in: location) == 1)

        // Another replica takes the run once the lease has run out.
        let other = LockOwner(user: "ops2", host: "host-b", pid: 2000)
        let replica = Journal(storage: try PostgresJournalStorage(location: location))
        let (newFence, tookOver) = try replica.acquireLease(owner: other, now: start.addingTimeInterval(20), ttl: .seconds(15)) { _ in true }
        #expect(newFence == fence + 1 && tookOver == nil)

        // The old holder reconnects and is refused, for a record and for a renewal.
        #expect(throws: JournalError.fenced(expected: fence, current: newFence)) {
            _ = try stopped.append(.checks, machine: machine, detail: ["n": "late"], fence: fence, at: self.start.addingTimeInterval(21))
        }
        #expect(throws: JournalError.fenced(expected: fence, current: newFence)) {
            try stopped.renewLease(fence: fence, now: self.start.addingTimeInterval(21), ttl: .seconds(15))
        }
        #expect(try replica.records().map(\.sequence) == [1], "the late holder's record is not there")
    }

    @Test("a server that stays away is reported with where, how long and what to do, after the patience runs out")
    func unreachableServer() throws {
        // Port 1 on loopback: nothing listens there, so every connect is refused at once.
        let closed = try PostgresLocation(url: "postgres://ops@127.0.0.1:1/postgres?sslmode=disable")
        let patience = PostgresReconnect(patience: .milliseconds(800), firstPause: .milliseconds(100), longestPause: .milliseconds(200))
        let began = ContinuousClock.now
        do {
            _ = try PostgresJournalStorage(location: closed, reconnect: patience)
            Issue.record("a journal on a closed port opened")
        } catch let JournalError.database(message) {
            Issue.record("wrapped: \(message)")
        } catch let error as PostgresUnreachableError {
            #expect((error.attempts ?? 0) > 2)
            #expect(ContinuousClock.now - began >= .milliseconds(800))
            #expect(error.description.contains("127.0.0.1:"))
            #expect(error.description.contains("could not be reached"))
        }
    }

}

/// The key store's pool after the server ended its connections: the next call must come back
/// (with rows, after a reconnect), never wait forever on a connection that is gone.
@Suite("The PostgreSQL key store reconnects after a dropped connection", .enabled(if: TestPostgres.url != nil))
struct PostgresKeyStoreReconnectTests {
    @Test("a key-store call after pg_terminate_backend answers")
    func keyStoreReconnects() async throws {
        let location = try TestPostgres.freshSchema()
        let store = try PostgresKeyStore(location: location)
        #expect(try await store.keyCount() == 0)
        let admin = try PostgresDatabase(location: try location.inSchema(location.schema + "_admin"), migrations: [])
        for round in 1...3 {
            let rows = try await admin.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(PostgresDatabase.applicationName(location))') ended
                        """))
            #expect(try await rows.decode(Int64.self).first { _ in true } ?? 0 >= 1, "round \(round): the pool had a connection to end")
            // A hang is a failure of this round, not a stuck suite (a task group would wait for it).
            let count = try await within(.seconds(60), "round \(round): the call after the drop") { try await store.keyCount() }
            #expect(count == 0, "round \(round): the call after the drop did not answer")
        }
    }
}

/// The watch that keeps a pooled call from waiting forever on a connection that closed under it
/// (postgres-nio does not always answer a statement sent as the server ends the backend).
@Suite("A call on a connection that closes under it fails instead of waiting", .enabled(if: TestPostgres.url != nil))
struct ConnectionWatchTests {
    @Test("an answer that never comes fails as a lost connection once the connection closes; one that comes wins")
    func closedUnderCall() async throws {
        let location = try PostgresLocation(url: try #require(TestPostgres.url))
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: location.host, port: location.port, username: location.username, password: nil,
                database: location.database, tls: .disable),
            id: 7, logger: Logger(label: "test"))
        let watch = ConnectionWatch<Void>()
        watch.attach(connection)
        Task {
            try await Task.sleep(for: .milliseconds(300))
            try await connection.close()
        }
        // Stands for a statement whose answer never comes; bounded (generously: a loaded CI
        // machine delays the watch's 200 ms polls by seconds) so a broken watch fails, not hangs.
        let outcome = try await within(.seconds(60), "the watched call on the closed connection") {
            await Result(catching: { try await watch.race { try await Task.sleep(for: .seconds(3600)) } })
        }
        switch outcome {
        case .success: Issue.record("the call answered")
        case .failure(let error):
            let closed = try #require(error as? ConnectionClosed, "\(error)")
            #expect(!closed.afterBody)
            #expect(PostgresReconnect.isConnectionLost(closed))
        }
        let quick = ConnectionWatch<Int>()
        #expect(try await quick.race { 42 } == 42)
    }
}
