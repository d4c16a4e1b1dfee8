import Foundation
import Logging
import PostgresNIO

/// The publish ledger in the PostgreSQL journal's schema (table `publish_ledger`), so replicas
/// share what dual-export published with the run: a replica that takes the run over skips what
/// the last holder re-signed instead of reading and re-signing every file again.
public final class PostgresPublishLedger: PublishLedger {
    public let location: PostgresLocation
    private let database: PostgresDatabase
    private let table: String

    static func migrations(schema: String) -> [PostgresMigration] {
        [
            PostgresMigration(
                "ledger-v1-publish-ledger",
                [
                    """
                    CREATE TABLE \(schema).publish_ledger (name TEXT PRIMARY KEY, status TEXT NOT NULL, source_digest TEXT, reason TEXT,
                        attempts BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL, source_version TEXT, checked_at_ms BIGINT)
                    """
                ])
        ]
    }

    /// Opens the ledger in `location`'s schema; its table is created before the first query.
    /// With `readOnly` (the dry run, `status`) nothing is created and a ledger not created yet
    /// reads as empty.
    /// `legacy` is the SQLite ledger an older enmigrate kept beside a PostgreSQL journal: while
    /// this ledger is empty its entries are copied in once, before the first call (the named
    /// step `ledger-import`), so an upgraded run does not re-sign what it already published.
    public init(location: PostgresLocation, readOnly: Bool = false, legacy: (any PublishLedger)? = nil) throws {
        self.location = location
        let database = try PostgresDatabase(location: location, migrations: Self.migrations(schema: location.schema), migrate: !readOnly)
        self.database = database
        let table = "\(location.schema).publish_ledger"
        self.table = table
        imported = Task {
            guard let legacy, !readOnly else { return }
            let rows = try await database.query("SELECT count(*) FROM \(unescaped: table)")
            guard try await rows.decode(Int64.self).first(where: { _ in true }) == 0 else { return }
            let entries = try await legacy.entries()
            try await database.transaction { connection in
                for entry in entries {
                    try await connection.query(
                        """
                        INSERT INTO \(unescaped: table) (name, status, source_digest, reason, attempts, updated_at_ms, source_version, checked_at_ms)
                        VALUES (\(entry.name), \(entry.status.rawValue), \(entry.sourceDigest), \(entry.reason), \(Int64(entry.attempts)),
                            \(Self.milliseconds(entry.checkedAt ?? Date())), \(entry.sourceVersion), \(entry.checkedAt.map(Self.milliseconds)))
                        ON CONFLICT (name) DO NOTHING
                        """, logger: Self.logger)
                }
            }
        }
    }

    private let imported: Task<Void, any Error>

    private func ready() async throws { try await imported.value }

    public func entry(_ name: String) async throws -> PublishLedgerEntry? {
        try await ready()
        if try await database.isMissing() { return nil }
        return try await entries(where: "WHERE name = \(name)").first
    }

    public func recordPublished(_ name: String, sourceDigest: String, sourceVersion: String?, at: Date) async throws {
        try await ready()
        try await database.transaction { [self] connection in
            try await connection.query(Self.upsert(table, name, .published, sourceDigest, nil, at), logger: Self.logger)
            try await connection.query(Self.checked(table, name, sourceVersion, at), logger: Self.logger)
        }
    }

    public func recordSourceChecked(_ name: String, sourceVersion: String?, at: Date) async throws {
        try await ready()
        _ = try await database.query(Self.checked(table, name, sourceVersion, at))
    }

    public func recordQuarantined(_ name: String, sourceDigest: String?, reason: String, permanent: Bool, at: Date) async throws {
        try await ready()
        _ = try await database.query(Self.upsert(table, name, permanent ? .quarantined : .retrying, sourceDigest, reason, at))
    }

    public func entries() async throws -> [PublishLedgerEntry] {
        try await ready()
        if try await database.isMissing() { return [] }
        return try await entries(where: "")
    }

    private func entries(where condition: PostgresQuery) async throws -> [PublishLedgerEntry] {
        var query: PostgresQuery = """
            SELECT name, status, source_digest, reason, attempts, source_version, checked_at_ms FROM \(unescaped: table)
            """
        query.sql += " " + condition.sql + " ORDER BY name COLLATE \"C\""
        query.binds = condition.binds
        var found: [PublishLedgerEntry] = []
        let rows = try await database.query(query)
        for try await (name, status, digest, reason, attempts, version, checked) in rows.decode(
            (String, String, String?, String?, Int64, String?, Int64?).self)
        {
            found.append(
                PublishLedgerEntry(
                    name: name, status: PublishLedgerEntry.Status(rawValue: status) ?? .retrying, sourceDigest: digest, reason: reason,
                    attempts: Int(attempts), sourceVersion: version, checkedAt: checked.map { Date(timeIntervalSince1970: Double($0) / 1000) }))
        }
        return found
    }

    private static let logger = Logger(label: "enmigrate-postgres-ledger")

    private static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    private static func upsert(
        _ table: String, _ name: String, _ status: PublishLedgerEntry.Status, _ digest: String?, _ reason: String?, _ at: Date
    ) -> PostgresQuery {
        """
        INSERT INTO \(unescaped: table) (name, status, source_digest, reason, attempts, updated_at_ms)
        VALUES (\(name), \(status.rawValue), \(digest), \(reason), 1, \(milliseconds(at)))
        ON CONFLICT (name) DO UPDATE SET status = excluded.status, source_digest = excluded.source_digest,
            reason = excluded.reason, attempts = \(unescaped: table).attempts + 1, updated_at_ms = excluded.updated_at_ms
        """
    }

    private static func checked(_ table: String, _ name: String, _ version: String?, _ at: Date) -> PostgresQuery {
        "UPDATE \(unescaped: table) SET source_version = \(version), checked_at_ms = \(milliseconds(at)) WHERE name = \(name)"
    }
}
