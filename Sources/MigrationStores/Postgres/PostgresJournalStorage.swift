import Foundation
import Logging
import MigrationEngine
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The journal in a PostgreSQL schema (`journal_run`, `journal_record`, `journal_lease`), so
/// replicas on several machines share one run and one run lock. The lease row always exists
/// and every write locks it (`FOR UPDATE`), which serialises lease changes and appends across
/// replicas: a writer whose fence was taken over is refused in the same transaction.
///
/// Synchronous like the SQLite journal: one connection per process, each call one transaction,
/// waiting on the connection's NIO futures. Those complete on NIO's event loop threads, never
/// on the Swift concurrency pool, so a caller blocked here cannot starve the work it waits for.
/// A dropped connection is reopened with backoff (``PostgresReconnect``) and the call retried
/// without ever storing a record twice.
public final class PostgresJournalStorage: JournalStorage {
    /// The database and schema.
    public let postgres: PostgresLocation
    private let connection: Mutex<PostgresConnection?>
    private let logger: Logger
    /// How long a call keeps trying after the connection dropped.
    public let reconnect: PostgresReconnect

    public var location: String { postgres.description }

    /// The schema's tables, one named migration at a time (shared `schema_migration` with the
    /// key store when both live in one schema).
    static let migrations = [
        PostgresMigration(
            "journal-v1-run-records-lease",
            [
                """
                CREATE TABLE journal_run (id INT PRIMARY KEY CHECK (id = 1), plan_hash TEXT NOT NULL, mode TEXT NOT NULL,
                    required_gates TEXT NOT NULL, started_at_ms BIGINT NOT NULL)
                """,
                """
                CREATE TABLE journal_record (seq BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL, kind TEXT NOT NULL, phase TEXT NOT NULL,
                    status TEXT NOT NULL, step_done BOOLEAN NOT NULL, attempt BIGINT NOT NULL, detail TEXT NOT NULL, fence BIGINT NOT NULL,
                    previous_hash TEXT NOT NULL, hash TEXT NOT NULL)
                """,
                """
                CREATE TABLE journal_lease (id INT PRIMARY KEY CHECK (id = 1), "user" TEXT NOT NULL, host TEXT NOT NULL, pid INT NOT NULL,
                    fence BIGINT NOT NULL, expires_at_ms BIGINT NOT NULL)
                """,
                "INSERT INTO journal_lease VALUES (1, '', '', 0, 0, 0)",
            ]),
        // Worker state that lived in files beside the journal moves into it (fenced, shared by replicas).
        PostgresMigration(
            "journal-v2-worker-documents",
            [
                """
                CREATE TABLE journal_document (name TEXT PRIMARY KEY, data TEXT NOT NULL, fence BIGINT NOT NULL,
                    saved_at_ms BIGINT NOT NULL)
                """
            ]),
        // Binary documents (the coverage baseline's key records): `bytes` holds what is not
        // text; `data` keeps JSON readable in psql.
        PostgresMigration(
            "journal-v3-binary-documents",
            [
                "ALTER TABLE journal_document ADD COLUMN bytes BYTEA",
                "ALTER TABLE journal_document ALTER COLUMN data DROP NOT NULL",
            ]),
    ]

    /// Connects and, with `create`, creates the journal's tables when missing (replicas
    /// starting together take turns under an advisory lock). Without `create` (and always when
    /// `readOnly`) a schema without a journal fails with ``JournalError/missing(path:)``:
    /// nothing has run yet. `readOnly` only says nothing will be created; this storage writes
    /// only what the journal asks it to.
    public init(
        location: PostgresLocation, create: Bool = true, readOnly: Bool = false,
        reconnect: PostgresReconnect = .default
    ) throws {
        postgres = location
        self.reconnect = reconnect
        var logger = Logger(label: "enmigrate-postgres-journal")
        logger.logLevel = .critical
        self.logger = logger
        connection = Mutex(nil)
        if create, !readOnly {
            try migrate()
        } else if !(try exists()) {
            throw JournalError.missing(path: location.description)
        }
    }

    deinit {
        let open = connection.withLock { $0 }
        _ = try? open?.close().wait()
    }

    /// Whether the journal's tables are there (a run may have started).
    private func exists() throws -> Bool {
        try transaction { run in
            let rows = try run(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT count(*) FROM information_schema.tables WHERE table_schema = '\(postgres.schema)' AND table_name = 'journal_record'
                        """))
            return try rows.first?.decode(Int64.self) == 1
        }
    }

    public func loadRun() throws -> JournalRun? {
        try transaction { run in
            try run("SELECT plan_hash, mode, required_gates, started_at_ms FROM \(unescaped: table("journal_run")) WHERE id = 1")
                .first.map { row in
                    let (hash, mode, gates, started) = try row.decode((String, String, String, Int64).self)
                    return JournalRun(
                        planHash: hash, mode: MigrationPhase.Mode(rawValue: mode) ?? .readOnly,
                        requiredGates: JournalSchema.gates(gates), startedAt: Self.date(started))
                }
        }
    }

    public func loadRecords(newestOnly: Bool) throws -> [JournalRecord] {
        try transaction { run in
            let order = newestOnly ? "ORDER BY seq DESC LIMIT 1" : "ORDER BY seq"
            return try run(
                """
                SELECT seq, at_ms, kind, phase, status, step_done, attempt, detail, fence, previous_hash, hash
                FROM \(unescaped: table("journal_record")) \(unescaped: order)
                """
            ).map(Self.record)
        }
    }

    public func append(fence: Int64, run: JournalRun?, make: (String, Int64) -> JournalRecord) throws -> JournalRecord {
        try transaction(confirm: { query, record in
            // The hash covers the previous hash, so it is this record and no other.
            try query("SELECT count(*) FROM \(unescaped: self.table("journal_record")) WHERE seq = \(record.sequence) AND hash = \(record.hash)")
                .first?.decode(Int64.self) == 1
        }) { query in
            // Locking the lease row serialises appends and keeps the fence from changing before the commit.
            let current =
                try query("SELECT fence FROM \(unescaped: table("journal_lease")) WHERE id = 1 FOR UPDATE")
                .first?.decode(Int64.self) ?? 0
            if fence > 0, current != fence { throw JournalError.fenced(expected: fence, current: current) }
            if let run {
                _ = try query(
                    """
                    INSERT INTO \(unescaped: table("journal_run")) VALUES (1, \(run.planHash), \(run.mode.rawValue),
                        \(JournalSchema.gatesText(run.requiredGates)), \(Self.milliseconds(run.startedAt)))
                    """)
            }
            let newest = try query("SELECT hash, seq FROM \(unescaped: table("journal_record")) ORDER BY seq DESC LIMIT 1")
                .first?.decode((String, Int64).self)
            let record = make(newest?.0 ?? "", (newest?.1 ?? 0) + 1)
            _ = try query(
                """
                INSERT INTO \(unescaped: table("journal_record")) VALUES (\(record.sequence), \(Self.milliseconds(record.at)),
                    \(record.kind.rawValue), \(record.phase.rawValue), \(record.status.rawValue), \(record.stepDone),
                    \(Int64(record.attempt)), \(record.detail), \(record.fence), \(record.previousHash), \(record.hash))
                """)
            return record
        }
    }

    public func updateLease<Result>(_ change: (LockHolder?) throws -> (newLease: LockHolder?, result: Result)) throws -> Result {
        try transaction(confirm: { (query: Query, written: (lease: LockHolder?, result: Result)) in
            // A lease change whose COMMIT answer was lost stands if the row is what it wrote.
            guard let lease = written.lease else { return true }
            return try query(
                """
                SELECT count(*) FROM \(unescaped: self.table("journal_lease")) WHERE id = 1 AND "user" = \(lease.user) AND host = \(lease.host)
                    AND pid = \(lease.pid) AND fence = \(lease.fence) AND expires_at_ms = \(Self.milliseconds(lease.expires))
                """
            ).first?.decode(Int64.self) == 1
        }) { query in
            let current = try query(
                """
                SELECT "user", host, pid, fence, expires_at_ms FROM \(unescaped: table("journal_lease")) WHERE id = 1 FOR UPDATE
                """
            ).first.flatMap(Self.lease)
            let (lease, result) = try change(current)
            if let lease {
                _ = try query(
                    """
                    UPDATE \(unescaped: table("journal_lease")) SET "user" = \(lease.user), host = \(lease.host), pid = \(lease.pid),
                        fence = \(lease.fence), expires_at_ms = \(Self.milliseconds(lease.expires)) WHERE id = 1
                    """)
            }
            return (lease: lease, result: result)
        }.result
    }

    public func loadLease() throws -> LockHolder? {
        try transaction { query in
            try query("SELECT \"user\", host, pid, fence, expires_at_ms FROM \(unescaped: table("journal_lease")) WHERE id = 1")
                .first.flatMap(Self.lease)
        }
    }

    public func loadDocument(_ name: String) throws -> Data? {
        try transaction { query in
            // A read-only open of a journal from before documents has none yet; one from before
            // binary documents has no `bytes` column.
            let columns = try query(
                """
                SELECT column_name FROM information_schema.columns WHERE table_schema = \(postgres.schema) AND table_name = 'journal_document'
                """
            ).map { try $0.decode(String.self) }
            guard columns.contains("data") else { return nil }
            let bytes = columns.contains("bytes") ? "bytes" : "NULL::bytea"
            return try query("SELECT data, \(unescaped: bytes) FROM \(unescaped: table("journal_document")) WHERE name = \(name)")
                .first.map { row in
                    let (text, binary) = try row.decode((String?, ByteBuffer?).self)
                    if let text { return Data(text.utf8) }
                    return binary.map { Data($0.readableBytesView) } ?? Data()
                }
        }
    }

    /// JSON documents are stored as text so `psql` shows them as they are; anything that is
    /// not text (PostgreSQL text holds no NUL byte) as `bytes`.
    public func saveDocuments(_ documents: [String: Data], fence: Int64, at: Date) throws {
        try transaction { query in
            let current =
                try query("SELECT fence FROM \(unescaped: table("journal_lease")) WHERE id = 1 FOR UPDATE")
                .first?.decode(Int64.self) ?? 0
            if fence > 0, current != fence { throw JournalError.fenced(expected: fence, current: current) }
            for (name, data) in documents.sorted(by: { $0.key < $1.key }) {
                let text = data.contains(0) ? nil : String(validating: data, as: UTF8.self)
                let binary = text == nil ? ByteBuffer(bytes: data) : nil
                // An upsert: running it again after a lost COMMIT answer stores the same thing.
                _ = try query(
                    """
                    INSERT INTO \(unescaped: table("journal_document")) (name, data, bytes, fence, saved_at_ms)
                    VALUES (\(name), \(text), \(binary), \(fence), \(Self.milliseconds(at)))
                    ON CONFLICT (name) DO UPDATE SET data = excluded.data, bytes = excluded.bytes, fence = excluded.fence,
                        saved_at_ms = excluded.saved_at_ms
                    """)
            }
        }
    }

    // MARK: Connection and transactions

    /// The statement runner a transaction's body gets.
    private typealias Query = (PostgresQuery) throws -> [PostgresRow]

    /// Runs `body` in one transaction on this process's connection (opened on first use),
    /// committing when it returns and rolling back when it throws.
    ///
    /// A lost connection (a server restart, a failover, a killed backend) is reopened with
    /// backoff for up to ``reconnect``'s patience and the transaction run again: the server
    /// rolled back what never committed. When the answer to COMMIT itself was lost, nobody knows
    /// whether it committed; `confirm` then asks the new connection whether the result is
    /// stored (the record's hash, the lease as written) before anything is run again, so a
    /// retry never appends a record twice. Without `confirm` (reads, idempotent migrations)
    /// the body simply runs again.
    private func transaction<T>(
        confirm: ((_ query: Query, _ result: T) throws -> Bool)? = nil,
        _ body: (_ query: Query) throws -> T
    ) throws -> T {
        let pauses = reconnect.pauses()
        var attempts = 0
        var uncertain: T?
        while true {
            attempts += 1
            let lost: PostgresStoreError
            do {
                if let pending = uncertain, let confirm {
                    if try attempt({ query in try confirm(query, pending) }).result { return pending }
                    uncertain = nil
                }
                let (result, commitLost) = try attempt(body)
                guard let commitLost else { return result }
                uncertain = result
                lost = commitLost
            } catch let error as PostgresStoreError where error.connectionLost {
                lost = error
            }
            connection.withLock { open in
                // Not waited for: closing a connection the server already ended need not answer.
                // The connection lives until its close completes (postgres-nio asserts that no
                // connection is released open; that trapped debug builds on a reconnect).
                let closing = open
                open = nil
                closing?.close().whenComplete { _ in withExtendedLifetime(closing) {} }
            }
            guard let pause = pauses.next() else {
                throw PostgresUnreachableError(
                    location: postgres, attempts: attempts, patience: reconnect.patience,
                    lastError: lost.description)
            }
            // Blocks the calling thread like every call of this synchronous storage does.
            Thread.sleep(forTimeInterval: Journal.seconds(pause))
        }
    }

    /// One try of a transaction. `commitLost` is set when the body ran and COMMIT was sent but
    /// its answer never came.
    private func attempt<T>(_ body: (_ query: Query) throws -> T) throws -> (result: T, commitLost: PostgresStoreError?) {
        try connection.withLock { open in
            // A connection the server ended while idle (a restart, pg_terminate_backend) is
            // closed by now; a query sent on it would wait for an answer that never comes.
            if open?.isClosed == true { open = nil }
            let connection = try open ?? connect()
            open = connection
            let logger = self.logger
            let location = postgres
            func run(_ query: PostgresQuery) throws -> [PostgresRow] {
                do {
                    return Array(try Self.answer(connection.query(query, logger: logger), on: connection))
                } catch {
                    throw PostgresStoreError(error, location: location)
                }
            }
            _ = try run("BEGIN")
            let result: T
            do {
                result = try body { try run($0) }
            } catch {
                _ = try? run("ROLLBACK")
                throw error
            }
            do {
                _ = try run("COMMIT")
            } catch let error as PostgresStoreError where error.connectionLost {
                return (result, error)
            }
            return (result, nil)
        }
    }

    /// Waits for `future`, the answer to a statement sent on `connection`, and fails as a lost
    /// connection when the connection closes first. A statement sent in the instant the server
    /// ended the backend (its goodbye not yet read) otherwise waits forever: postgres-nio does
    /// not always fail a query queued on a connection that is closing (seen about once in ten
    /// drops). No deadline: a statement waiting on another replica's lock is slow, not lost.
    private static func answer<T: Sendable>(_ future: EventLoopFuture<T>, on connection: PostgresConnection) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        future.whenComplete { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            if connection.isClosed {
                // One more look: the answer may have come with the close.
                if done.wait(timeout: .now() + .milliseconds(200)) == .success { break }
                throw ConnectionClosed(afterBody: false)
            }
        }
        return try outcome.withLock { $0! }.get()
    }

    private func connect() throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS =
            switch postgres.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: postgres.host, port: postgres.port, username: postgres.username,
            password: try PostgresLocation.password(), database: postgres.database, tls: tls)
        // pg_stat_activity shows who holds a connection; tests find this one by it.
        configuration.options.additionalStartupParameters = [("application_name", Self.applicationName(postgres))]
        do {
            return try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                id: 1, logger: logger
            ).wait()
        } catch {
            throw PostgresStoreError(error, location: postgres)
        }
    }

    /// The `application_name` of the journal's connection: the product and the schema.
    public static func applicationName(_ location: PostgresLocation) -> String {
        String("enmigrate journal \(location.schema)".prefix(63))
    }

    /// Applies the missing migrations in one transaction under the schema's advisory lock, the
    /// same lock and `schema_migration` table the key store's migrations use.
    private func migrate() throws {
        let schema = postgres.schema
        try transaction { query in
            _ = try query("SELECT pg_advisory_xact_lock(hashtext(\(schema)))")
            _ = try query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"))
            _ = try query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(schema).schema_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                        """))
            let applied = Set(try query(PostgresQuery(unsafeSQL: "SELECT name FROM \(schema).schema_migration")).map { try $0.decode(String.self) })
            for migration in Self.migrations where !applied.contains(migration.name) {
                _ = try query(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(schema)"))
                for statement in migration.statements { _ = try query(PostgresQuery(unsafeSQL: statement)) }
                _ = try query("INSERT INTO \(unescaped: schema).schema_migration (name) VALUES (\(migration.name))")
            }
        }
    }

    private func table(_ name: String) -> String { "\(postgres.schema).\(name)" }

    private static func record(_ row: PostgresRow) throws -> JournalRecord {
        let (sequence, at, kind, phase, status, stepDone, attempt, detail, fence, previous, hash) =
            try row.decode((Int64, Int64, String, String, String, Bool, Int64, String, Int64, String, String).self)
        return JournalRecord(
            sequence: sequence, at: date(at), kind: JournalRecord.Kind(rawValue: kind) ?? .checks,
            phase: MigrationPhase(rawValue: phase) ?? .planned, status: RunStatus(rawValue: status) ?? .failed,
            stepDone: stepDone, attempt: Int(attempt), detail: detail, fence: fence, previousHash: previous, hash: hash)
    }

    /// The lease row, or nil while it is the placeholder the migration wrote (never taken).
    private static func lease(_ row: PostgresRow) throws -> LockHolder? {
        let (user, host, pid, fence, expires) = try row.decode((String, String, Int32, Int64, Int64).self)
        return fence == 0 && pid == 0 ? nil : LockHolder(user: user, host: host, pid: pid, fence: fence, expires: date(expires))
    }

    /// Times are stored as milliseconds since 1970, the precision the hash chain covers.
    private static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    private static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
