import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// One named, versioned schema change; applied once, in order, recorded in `schema_migration`.
public struct PostgresMigration: Sendable {
    public let name: String
    public let statements: [String]

    public init(_ name: String, _ statements: [String]) {
        self.name = name
        self.statements = statements
    }
}

/// A connection pool to one PostgreSQL database and schema, with the schema brought up to date
/// before the first query. Replicas migrating at once take turns under an advisory lock.
public final class PostgresDatabase: Sendable {
    public let location: PostgresLocation
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let migrated: Task<Void, any Error>
    private let missing: Task<Bool, any Error>
    private let logger: Logger
    /// How long a call keeps retrying after a lost connection.
    public let reconnect: PostgresReconnect

    /// The `application_name` of the pool's connections: the product and the schema.
    public static func applicationName(_ location: PostgresLocation) -> String {
        String("enmigrate keys \(location.schema)".prefix(63))
    }

    /// Connects lazily (the first query connects) and applies `migrations` that are missing;
    /// with `migrate: false` (a dry run) it changes nothing and ``isMissing()`` says whether
    /// the schema is there at all.
    public init(
        location: PostgresLocation, migrations: [PostgresMigration], migrate: Bool = true,
        reconnect: PostgresReconnect = .default
    ) throws {
        let tls: PostgresClient.Configuration.TLS =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: try PostgresLocation.password(), database: location.database, tls: tls)
        // pg_stat_activity shows who holds a connection; tests find these by it.
        configuration.options.additionalStartupParameters = [("application_name", Self.applicationName(location))]
        var logger = Logger(label: "enmigrate-postgres")
        logger.logLevel = .critical
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.location = location
        self.client = client
        self.logger = logger
        self.reconnect = reconnect
        runner = Task { await client.run() }
        migrated = Task {
            if migrate { try await Self.migrate(client, schema: location.schema, migrations, logger: logger) }
        }
        let expected = migrations.map(\.name)
        missing = Task {
            guard !migrate else { return false }
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT count(*) FROM information_schema.tables WHERE table_schema = '\(location.schema)' AND table_name = 'schema_migration'
                        """), logger: logger)
            guard try await rows.decode(Int64.self).first(where: { _ in true }) == 1 else { return true }
            var applied = Set<String>()
            for try await name in try await client.query(
                PostgresQuery(unsafeSQL: "SELECT name FROM \(location.schema).schema_migration"),
                logger: logger
            ).decode(String.self) {
                applied.insert(name)
            }
            return !Set(expected).isSubset(of: applied)
        }
    }

    deinit {
        runner.cancel()
    }

    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws).
    /// A connection found closed or lost before the COMMIT (a restart, a failover, an ended
    /// backend the pool had not yet noticed) rolled everything back, so the transaction is run
    /// again with backoff; a lost COMMIT answer is not retried (it may have committed) and fails.
    public func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let client = client, logger = logger
        return try await pooled { watch in
            try await client.withTransaction(logger: logger) { connection in
                watch.attach(connection)
                let result = try await body(connection)
                watch.bodyFinished()
                return result
            }
        }
    }

    /// Runs one statement outside a transaction and returns its rows, decoded by the caller.
    /// A lost connection is retried like a transaction's: the statements run this way are reads
    /// and idempotent writes (at worst a file's attempt counter counts one attempt twice).
    /// The rows are read in full before the connection goes back to the pool (the statements
    /// run this way return a national file's keys at most).
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        let client = client, logger = logger
        return try await pooled { watch in
            try await client.withConnection { connection in
                watch.attach(connection)
                return PostgresRows(rows: try await connection.query(query, logger: logger).collect())
            }
        }
    }

    /// One call on a pooled connection, under a ``ConnectionWatch``, retried after a lost
    /// connection (``retrying(_:)``), with every failure said as the store says it.
    private func pooled<T: Sendable>(_ call: @escaping @Sendable (ConnectionWatch<T>) async throws -> T) async throws -> T {
        try await ready()
        return try await retrying { began in
            let watch = ConnectionWatch<T>()
            do {
                return try await watch.race { try await call(watch) }
            } catch let error as ConnectionClosed {
                throw PostgresStoreError(error, location: location, mayHaveCommitted: error.afterBody)
            } catch let error as PSQLError {
                throw PostgresStoreError(error, location: location)
            } catch let error as PostgresTransactionError {
                let cause = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error
                // Our own errors from inside the transaction pass through unchanged.
                guard cause is PSQLError else { throw cause }
                throw PostgresStoreError(cause, location: location, mayHaveCommitted: error.commitError != nil)
            } catch {
                // Not from a statement or the body: the pool could not lease a connection.
                throw unreachable(error, since: began)
            }
        }
    }

    /// Runs `attempt` until it succeeds, fails for a reason other than a lost connection, or
    /// ``reconnect``'s patience is spent.
    private func retrying<T>(_ attempt: (ContinuousClock.Instant) async throws -> T) async throws -> T {
        let began = ContinuousClock.now
        let pauses = reconnect.pauses()
        while true {
            do {
                return try await attempt(began)
            } catch let error as PostgresStoreError where error.connectionLost && !error.mayHaveCommitted {
                guard let pause = pauses.next() else { throw error }
                try await Task.sleep(for: pause)
            }
        }
    }

    /// The pool's own failure, said as the journal says it: the server, how long, what to do.
    /// The pool keeps reconnecting with backoff while a call waits and gives up (its circuit
    /// breaker) after about a minute of failed connection attempts; until then a call made while
    /// the server restarts simply waits and then answers.
    private func unreachable(_ error: any Error, since began: ContinuousClock.Instant) -> any Error {
        guard !(error is CancellationError) else { return error }
        let said = "\(error)"
        let last = said.contains("CircuitBreakerTripped") ? "every connection attempt failed and the pool stopped trying" : said
        return PostgresUnreachableError(location: location, attempts: nil, patience: ContinuousClock.now - began, lastError: last)
    }

    /// True when the schema is not (fully) there and this database may not create it: a dry
    /// run then reads it as empty.
    public func isMissing() async throws -> Bool {
        do {
            return try await missing.value
        } catch let error as PSQLError {
            throw PostgresStoreError(error, location: location)
        }
    }

    private func ready() async throws {
        do {
            try await migrated.value
        } catch let error as PSQLError {
            throw PostgresStoreError(error, location: location)
        }
    }

    private static func migrate(_ client: PostgresClient, schema: String, _ migrations: [PostgresMigration], logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            // One replica migrates at a time; the others wait here and then find nothing to do.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(schema)))", logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(schema).schema_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                        """), logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT name FROM \(schema).schema_migration"),
                logger: logger
            ).decode(String.self) {
                applied.insert(name)
            }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(schema).schema_migration (name) VALUES ('\(migration.name)')"),
                    logger: logger)
            }
        }
    }
}

/// A PostgreSQL failure with what the server said (postgres-nio hides it from `description`
/// so nothing sensitive leaks by accident; the server's message and code are safe to show).
public struct PostgresStoreError: Error, CustomStringConvertible {
    public let description: String
    /// The connection was lost or could not be made (a retry may succeed), as opposed to an
    /// answer about the statement.
    public let connectionLost: Bool
    /// The connection was lost while the COMMIT was on its way: the transaction may stand.
    public let mayHaveCommitted: Bool

    init(_ error: any Error, location: PostgresLocation, mayHaveCommitted: Bool = false) {
        connectionLost = PostgresReconnect.isConnectionLost(error)
        self.mayHaveCommitted = mayHaveCommitted
        if let error = error as? PSQLError {
            let message = error.serverInfo?[.message]
            let code = error.serverInfo?[.sqlState]
            let what = message.map { "\($0)" + (code.map { " (SQLSTATE \($0))" } ?? "") } ?? "\(error.code)"
            description = "\(location): \(what)"
        } else {
            description = "\(location): \(error)"
        }
    }
}

/// The rows of one statement, read in full; decoded like postgres-nio's row sequence
/// (`rows.decode(Int64.self)`).
public struct PostgresRows: AsyncSequence, Sendable {
    public typealias Element = PostgresRow
    let rows: [PostgresRow]

    public struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: IndexingIterator<[PostgresRow]>
        public mutating func next() async throws -> PostgresRow? { remaining.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: rows.makeIterator()) }
}
