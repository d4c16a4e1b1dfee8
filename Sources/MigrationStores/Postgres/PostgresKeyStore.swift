import Foundation
import PostgresNIO
import Synchronization

/// The national key store on PostgreSQL (`keyStore: postgres://…`), for operators beyond one
/// machine. Same tables and semantics as ``SQLiteKeyStore``, in a schema of its own; passes the
/// same conformance suite. Keys go in with one `UNNEST` insert per chunk, not a statement each.
public final class PostgresKeyStore: ExposureKeyStore {
    /// Where the store lives (printed without a password: there is none in it).
    public let location: PostgresLocation
    let database: PostgresDatabase
    var schema: String { location.schema }
    /// The table keys go in: enmigrate's own, or a reference server's (`layout=reference`).
    var table: String { location.referenceTable ?? "\(schema).exposure" }
    /// The reference layout keeps keys as standard base64 text; enmigrate's as bytea.
    var isReference: Bool { location.referenceTable != nil }
    /// SQL turning a bytea expression into the key column's form, and the column back into bytea.
    func keyValue(_ bytea: String) -> String { isReference ? "encode(\(bytea), 'base64')" : bytea }
    var keyBytes: String { isReference ? "decode(exposure_key, 'base64')" : "exposure_key" }
    /// With the reference layout: how imported keys are marked, and the reference server's
    /// schema its `exportimport` and `importfile` tables live in (the `exposure` table's).
    let lineage: ReferenceLineage?
    var referenceSchema: String { Self.schema(of: table) }
    /// Checks a reference table and finds (or creates) the `exportimport` row the keys hang on;
    /// its id, or nil for enmigrate's layout and for a dry run before the row exists. Made once
    /// and kept when it succeeds; a failure is not kept, so a long-running `apply` whose
    /// operator fixes the reference schema goes on without a restart.
    private let preparation = Mutex<Task<Int64?, any Error>?>(nil)
    private let readOnly: Bool
    /// Rows per insert statement: large enough to amortise a round trip, small enough to keep
    /// one bind message a few MiB.
    static let chunk = 10_000

    /// Opens the store; its tables are created or migrated before the first query. With
    /// `readOnly` (a dry run) nothing is created, and a store not created yet reads as empty.
    /// `layout=reference` needs the `lineage` imported keys are marked with.
    public init(location: PostgresLocation, lineage: ReferenceLineage? = nil, readOnly: Bool = false) throws {
        self.location = location
        self.lineage = lineage
        let database = try PostgresDatabase(location: location, migrations: Self.migrations(location: location), migrate: !readOnly)
        self.database = database
        self.readOnly = readOnly
    }

    /// The reference `exportimport` row's id after the table check (nil for enmigrate's layout).
    func prepared() async throws -> Int64? {
        let task = preparation.withLock { current in
            if let current { return current }
            let made = Task { [location, lineage, database, readOnly] () throws -> Int64? in
                guard let table = location.referenceTable else { return nil }
                guard let lineage else { throw PostgresKeyStoreError.referenceTable("no lineage given for \(table) (how imported keys are marked)") }
                let problems = try await Self.referenceSchemaProblems(table, database: database)
                guard problems.isEmpty else { throw PostgresKeyStoreError.referenceTable(problems.joined(separator: "; ")) }
                return try await Self.exportImportID(lineage, schema: Self.schema(of: table), database: database, create: !readOnly)
            }
            current = made
            return made
        }
        do {
            return try await task.value
        } catch {
            preparation.withLock { if $0 == task { $0 = nil } }
            throw error
        }
    }

    /// The schema part of `schema.table`.
    static func schema(of table: String) -> String { String(table.split(separator: ".").first ?? "public") }

    // MARK: Import

    public func importBatch(_ files: [FileImport], at: Date) async throws -> [ImportOutcome] {
        let exportImportID = try await prepared()
        if isReference, exportImportID == nil {
            throw PostgresKeyStoreError.referenceTable("\(referenceSchema).exportimport has no row for this import (a dry run creates none)")
        }
        return try await database.transaction { [self] connection in
            var outcomes: [ImportOutcome] = []
            for file in files { outcomes.append(try await importFile(file, at: at, exportImportID: exportImportID, connection: connection)) }
            return outcomes
        }
    }

    private func importFile(_ file: FileImport, at: Date, exportImportID: Int64?, connection: PostgresConnection) async throws -> ImportOutcome {
        let logger = connection.logger
        let status = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT status FROM \(schema).import_file WHERE url = $1",
                binds: Self.binds(file.url)), logger: logger
        )
        .decode(String.self).first { _ in true }
        if status == "imported" { return ImportOutcome(alreadyImported: true) }
        var fileBinds = PostgresBindings()
        fileBinds.append(file.url)
        fileBinds.append(file.digest)
        fileBinds.append(at)
        fileBinds.append(file.sourceVersion)
        let fileID =
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO \(schema).import_file (url, status, attempts, digest, updated_at, source_version) VALUES ($1, 'imported', 1, $2, $3, $4)
                        ON CONFLICT (url) DO UPDATE SET status = 'imported', attempts = \(schema).import_file.attempts + 1, last_error = NULL,
                            digest = excluded.digest, updated_at = excluded.updated_at, source_version = excluded.source_version
                        RETURNING id
                        """, binds: fileBinds), logger: logger
            ).decode(Int64.self).first { _ in true } ?? 0
        // Keys in a reference table point at the reference server's own rows for the file.
        var target = KeyTarget.enmigrate(fileID: fileID)
        if let exportImportID, let lineage {
            let referenceFileID = try await referenceImportFile(
                lineage.zipFilename(file.url), exportImportID: exportImportID, at: at,
                connection: connection)
            target = .reference(exportImportID: exportImportID, importFileID: referenceFileID, appPackageName: lineage.appPackageName)
        }
        var outcome = ImportOutcome()
        var start = file.keys.startIndex
        while start < file.keys.endIndex {
            let slice = file.keys[start..<min(start + Self.chunk, file.keys.endIndex)]
            outcome.inserted += try await insert(slice, target: target, connection: connection)
            start = slice.endIndex
        }
        for revision in file.revisions {
            try await apply(revision, target: target, at: at, connection: connection, outcome: &outcome)
        }
        var countBinds = PostgresBindings()
        countBinds.append(outcome.inserted)
        countBinds.append(fileID)
        countBinds.append(file.note)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "UPDATE \(schema).import_file SET keys_imported = $1, note = $3 WHERE id = $2",
                binds: countBinds), logger: logger)
        try await recordRefusals(RefusedKeys.merged(file.refusedKeys + outcome.refusedRevisions), url: file.url, connection: connection)
        return outcome
    }

    /// Replaces the file's counts of refused keys, in the import's transaction.
    private func recordRefusals(_ refused: [RefusedKeys], url: String, connection: PostgresConnection) async throws {
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "DELETE FROM \(schema).import_refused_key WHERE url = $1",
                binds: Self.binds(url)), logger: connection.logger)
        guard !refused.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(url)
        binds.append(refused.map(\.code))
        binds.append(refused.map(\.reason))
        binds.append(refused.map { Int64($0.count) })
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(schema).import_refused_key (url, code, reason, count)
                    SELECT $1, code, reason, count FROM unnest($2::text[], $3::text[], $4::bigint[]) AS r(code, reason, count)
                    """, binds: binds), logger: connection.logger)
    }

    /// Where inserted keys point: enmigrate's own file row, or the reference server's
    /// `exportimport` and `importfile` rows with the app package name it reads.
    enum KeyTarget {
        case enmigrate(fileID: Int64)
        case reference(exportImportID: Int64, importFileID: Int64, appPackageName: String)
    }

    /// Inserts keys not stored yet in one statement; returns how many were new.
    private func insert(_ keys: ArraySlice<StoredKey>, target: KeyTarget, connection: PostgresConnection) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(keys.map { ByteBuffer(bytes: $0.keyData) })
        binds.append(keys.map { Int32($0.transmissionRisk) })
        binds.append(keys.map(\.intervalNumber))
        binds.append(keys.map(\.intervalCount))
        binds.append(keys.map(\.reportType))
        // Arrays of optionals do not bind; Int32.min stands for "absent" (onset days lie within
        // ±14 in the format, so the sentinel never collides with a real value) and NULLIF turns
        // it back into NULL.
        binds.append(keys.map { $0.daysSinceOnset ?? Int32.min })
        binds.append(keys.map { $0.regions.joined(separator: ",") })
        binds.append(keys.map(\.traveler))
        binds.append(keys.map(\.createdAt))
        let columns: String, values: String
        switch target {
        case .enmigrate(let fileID):
            binds.append(fileID)
            columns = "import_file_id"
            values = "$10"
        case .reference(let exportImportID, let importFileID, let appPackageName):
            // What the reference importer writes for a key it imports (`transformer.transform`):
            // its app package name (lower-cased, as its insert does), the import's rows, not local.
            binds.append(appPackageName)
            binds.append(exportImportID)
            binds.append(importFileID)
            columns = "app_package_name, export_import_id, import_file_id, local_provenance"
            values = "LOWER($10), $11, $12, false"
        }
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    WITH inserted AS (
                        INSERT INTO \(table) (exposure_key, transmission_risk, interval_number, interval_count, report_type,
                            days_since_symptom_onset, regions, traveler, created_at, \(columns))
                        SELECT \(keyValue("k")), r, n, c, t, NULLIF(o, -2147483648), string_to_array(g, ','), v, a, \(values)
                        FROM UNNEST($1::bytea[], $2::int[], $3::int[], $4::int[], $5::text[], $6::int[], $7::text[], $8::bool[], $9::timestamptz[])
                            AS u(k, r, n, c, t, o, g, v, a)
                        ON CONFLICT (exposure_key) DO NOTHING
                        RETURNING 1)
                    SELECT count(*) FROM inserted
                    """, binds: binds), logger: connection.logger)
        return Int(try await rows.decode(Int64.self).first { _ in true } ?? 0)
    }

    /// The reference server's `importfile` row for a file (found, or created `COMPLETE`), so the
    /// keys point at it and its own importer, if it ever runs the same `exportimport`, sees the
    /// file as done. Looked up first rather than relying on its unique index.
    private func referenceImportFile(_ zipFilename: String, exportImportID: Int64, at: Date, connection: PostgresConnection) async throws -> Int64 {
        var binds = PostgresBindings()
        binds.append(exportImportID)
        binds.append(zipFilename)
        binds.append(at)
        let files = "\(referenceSchema).importfile"
        let existing = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE \(files) SET status = 'COMPLETE', processed_at = $3 WHERE export_import_id = $1 AND zip_filename = $2 RETURNING id
                    """, binds: binds), logger: connection.logger
        ).decode(Int64.self).first { _ in true }
        if let existing { return existing }
        return try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(files) (export_import_id, zip_filename, discovered_at, processed_at, status, retries)
                    VALUES ($1, $2, $3, $3, 'COMPLETE', 0) RETURNING id
                    """, binds: binds), logger: connection.logger
        ).decode(Int64.self).first { _ in true } ?? 0
    }

    private func apply(_ revision: KeyRevision, target: KeyTarget, at: Date, connection: PostgresConnection, outcome: inout ImportOutcome) async throws {
        let current = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT report_type, revised_report_type, \(isReference ? "export_import_id" : "NULL::bigint") FROM \(table)
                    WHERE exposure_key = \(keyValue("$1::bytea"))
                    """, binds: Self.binds(ByteBuffer(bytes: revision.keyData))), logger: connection.logger
        )
        .decode((String, String?, Int64?).self).first { _ in true }
        guard let current else {
            outcome.reject(revision, code: "revision-unknown-key", because: "not a stored key")
            return
        }
        if case .reference(let exportImportID, _, _) = target, current.2 != exportImportID {
            // The reference server revises an imported key only from the import it came from.
            outcome.reject(
                revision, code: "revision-foreign-key",
                because: "the key was not imported by this migration; the reference server revises a key only from its own source")
            return
        }
        switch RevisionRule.decide(current: current.0, previous: current.1, target: revision.reportType) {
        case .apply:
            var binds = PostgresBindings()
            binds.append(revision.reportType)
            binds.append(Int32(revision.transmissionRisk))
            binds.append(revision.daysSinceOnset)
            binds.append(at)
            binds.append(ByteBuffer(bytes: revision.keyData))
            switch target {
            case .enmigrate(let fileID):
                binds.append(fileID)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            UPDATE \(table) SET revised_report_type = $1, revised_transmission_risk = $2,
                                revised_days_since_symptom_onset = $3, revised_at = $4, revised_import_file_id = $6, revised_national_file_id = NULL
                            WHERE exposure_key = $5::bytea
                            """, binds: binds), logger: connection.logger)
            case .reference(_, let importFileID, _):
                // revised_at as the reference importer dates a revision: the import hour, or for a
                // key not expired by then its expiry plus an hour, truncated (epoch arithmetic, so
                // the session's time zone plays no part).
                binds.append(importFileID)
                binds.append(Date(timeIntervalSince1970: (at.timeIntervalSince1970 / 3600).rounded(.down) * 3600))
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            UPDATE \(table) SET revised_report_type = $1, revised_transmission_risk = $2,
                                revised_days_since_symptom_onset = $3, revised_import_file_id = $6,
                                revised_at = CASE WHEN $7::timestamptz < to_timestamp((interval_number + interval_count) * 600)
                                    THEN to_timestamp(floor(((interval_number + interval_count) * 600 + 3600) / 3600.0) * 3600) ELSE $7::timestamptz END
                            WHERE exposure_key = \(keyValue("$5::bytea")) AND revised_at IS NULL
                            """, binds: binds), logger: connection.logger)
            }
            outcome.revised += 1
        case .unchanged: break
        case .reject(let reason): outcome.reject(revision, code: "revision-not-allowed", because: reason)
        }
    }

    public func recordProblem(url: String, status: ImportFileRecord.Status, reason: String, at: Date) async throws {
        var binds = PostgresBindings()
        binds.append(url)
        binds.append(status.rawValue)
        binds.append(reason)
        binds.append(at)
        _ = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(schema).import_file (url, status, attempts, last_error, updated_at) VALUES ($1, $2, 1, $3, $4)
                    ON CONFLICT (url) DO UPDATE SET status = excluded.status, attempts = \(schema).import_file.attempts + 1,
                        last_error = excluded.last_error, updated_at = excluded.updated_at WHERE \(schema).import_file.status != 'imported'
                    """, binds: binds))
    }

    // MARK: Reading

    public func claimImportFiles(_ urls: [String], limit: Int, owner: String, until: Date, now: Date) async throws -> [String] {
        guard !urls.isEmpty, limit > 0 else { return [] }
        var binds = PostgresBindings()
        binds.append(urls)
        binds.append(owner)
        binds.append(now)
        binds.append(until)
        binds.append(limit)
        let claimBinds = binds
        return try await database.transaction { [self] connection in
            // Claimers take turns (a transaction-scoped advisory lock), so two replicas never
            // pick the same free file; each takes the first `limit` free files in index order.
            let logger = connection.logger
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(schema + ".import_claim")))", logger: logger)
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        WITH free AS (
                            SELECT u.url FROM unnest($1::text[]) WITH ORDINALITY AS u(url, position)
                            WHERE NOT EXISTS (SELECT 1 FROM \(schema).import_file f WHERE f.url = u.url AND f.status <> 'retrying')
                              AND NOT EXISTS (SELECT 1 FROM \(schema).import_claim c WHERE c.url = u.url AND c.owner <> $2 AND c.expires_at > $3)
                            ORDER BY u.position LIMIT $5)
                        INSERT INTO \(schema).import_claim (url, owner, expires_at) SELECT url, $2, $4 FROM free
                        ON CONFLICT (url) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                        RETURNING url
                        """, binds: claimBinds), logger: logger)
            var claimed = Set<String>()
            for try await url in rows.decode(String.self) { claimed.insert(url) }
            return urls.filter(claimed.contains)
        }
    }

    public func importClaimOwners(now: Date) async throws -> Set<String> {
        if try await database.isMissing() { return [] }
        var binds = PostgresBindings()
        binds.append(now)
        var owners = Set<String>()
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: "SELECT DISTINCT owner FROM \(schema).import_claim WHERE expires_at > $1",
                binds: binds))
        for try await owner in rows.decode(String.self) { owners.insert(owner) }
        return owners
    }

    public func releaseImportClaims(owner: String) async throws {
        var binds = PostgresBindings()
        binds.append(owner)
        _ = try await database.query(PostgresQuery(unsafeSQL: "DELETE FROM \(schema).import_claim WHERE owner = $1", binds: binds))
    }

    public func importFiles() async throws -> [ImportFileRecord] {
        if try await database.isMissing() { return [] }
        var refused: [String: [RefusedKeys]] = [:]
        let refusals = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT url, code, reason, count FROM \(schema).import_refused_key ORDER BY url, code COLLATE "C", reason COLLATE "C"
                    """))
        for try await (url, code, reason, count) in refusals.decode((String, String, String, Int32).self) {
            refused[url, default: []].append(RefusedKeys(code: code, reason: reason, count: Int(count)))
        }
        var records: [ImportFileRecord] = []
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT url, status, attempts, last_error, digest, keys_imported, note, source_version FROM \(schema).import_file ORDER BY url COLLATE "C"
                    """))
        for try await (url, status, attempts, error, digest, keys, note, version)
            in rows.decode((String, String, Int32, String?, String?, Int32, String?, String?).self)
        {
            records.append(
                ImportFileRecord(
                    url: url, status: ImportFileRecord.Status(rawValue: status) ?? .failed, attempts: Int(attempts),
                    lastError: error, digest: digest, keysImported: Int(keys),
                    refusedKeys: RefusedKeys.merged(refused[url] ?? []), note: note, sourceVersion: version))
        }
        return records
    }

    public func reopenImportFile(url: String, reason: String, at: Date) async throws {
        var binds = PostgresBindings()
        binds.append(reason)
        binds.append(at)
        binds.append(url)
        _ = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE \(schema).import_file SET status = 'retrying', last_error = $1, updated_at = $2 WHERE url = $3 AND status = 'imported'
                    """, binds: binds))
    }

    public func keyCount() async throws -> Int {
        if try await database.isMissing() { return 0 }
        _ = try await prepared()
        let rows = try await database.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"))
        return Int(try await rows.decode(Int64.self).first { _ in true } ?? 0)
    }

    public func key(_ keyData: Data) async throws -> StoredKey? {
        try await storedKeys(where: "exposure_key = \(keyValue("$1::bytea"))", binds: Self.binds(ByteBuffer(bytes: keyData))).first
    }

    private var keyColumns: String {
        """
        \(keyBytes), transmission_risk, interval_number, interval_count, report_type, days_since_symptom_onset, regions,
        traveler, created_at, revised_report_type, revised_transmission_risk, revised_days_since_symptom_onset
        """
    }

    func storedKeys(where condition: String, binds: PostgresBindings) async throws -> [StoredKey] {
        if try await database.isMissing() { return [] }
        _ = try await prepared()
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(keyColumns) FROM \(table) WHERE \(condition) ORDER BY \(keyBytes)
                    """, binds: binds))
        var keys: [StoredKey] = []
        for try await row in rows {
            let (key, risk, interval, count, type, onset, regions, traveler, created, revisedType, revisedRisk, revisedOnset) =
                try row.decode((Data, Int32, Int32, Int32, String, Int32?, [String], Bool, Date, String?, Int32?, Int32?).self)
            keys.append(
                StoredKey(
                    keyData: key, transmissionRisk: Int(risk), intervalNumber: interval, intervalCount: count, reportType: type,
                    daysSinceOnset: onset, regions: regions, traveler: traveler, createdAt: created,
                    revision: revisedType.map {
                        KeyRevision(keyData: key, reportType: $0, transmissionRisk: Int(revisedRisk ?? 0), daysSinceOnset: revisedOnset)
                    }))
        }
        return keys
    }

    static func binds(_ value: some PostgresNonThrowingEncodable & Sendable) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }
}
