import Foundation
import PostgresNIO

/// `layout=reference`: the checks that the reference server's own code takes enmigrate's rows
/// (its schema, its export configs, its export worker's batch query), and the `exportimport`
/// row the keys hang on.
extension PostgresKeyStore: ReferencePublishChecking {
    /// What in a reference schema would refuse enmigrate's rows or fail the reference server's
    /// scan of them: missing tables or columns, a column of a type the Go code cannot scan, a
    /// NOT NULL column enmigrate does not write that has no default. Empty when it fits.
    static func referenceSchemaProblems(_ table: String, database: PostgresDatabase) async throws -> [String] {
        let parts = table.split(separator: ".").map(String.init)
        var binds = PostgresBindings()
        binds.append(parts[0])
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT table_name::text, column_name::text, udt_name::text, is_nullable::text = 'YES', column_default IS NOT NULL
                    FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('\(parts[1])', 'exportimport', 'importfile')
                    """, binds: binds))
        var columns: [String: [String: (type: String, nullable: Bool, hasDefault: Bool)]] = [:]
        for try await (tableName, column, type, nullable, hasDefault) in rows.decode((String, String, String, Bool, Bool).self) {
            columns[tableName, default: [:]][column] = (type, nullable, hasDefault)
        }
        guard let exposure = columns[parts[1]] else { return ["\(table) does not exist"] }
        var problems: [String] = []
        let missing = (ReferenceSchema.scanned + ReferenceSchema.written).map(\.name).filter { exposure[$0] == nil }
        if !missing.isEmpty { problems.append("\(table) lacks the columns \(missing.joined(separator: ", "))") }
        for column in ReferenceSchema.scanned + ReferenceSchema.written {
            guard let found = exposure[column.name], !column.types.contains(found.type) else { continue }
            problems.append(
                "\(table).\(column.name) is \(found.type), which the reference server's code does not read as "
                    + (column.types.sorted().first ?? "?"))
        }
        let unwritten = exposure.filter { !$0.value.nullable && !$0.value.hasDefault && !ReferenceSchema.inserted.contains($0.key) }.keys.sorted()
        if !unwritten.isEmpty {
            problems.append("\(table) has NOT NULL columns without a default that enmigrate does not write: \(unwritten.joined(separator: ", "))")
        }
        for (name, wanted) in ReferenceSchema.tables {
            guard let found = columns[name] else {
                problems.append("\(parts[0]).\(name) does not exist (the reference server's export-importer table; run its migrations)")
                continue
            }
            let lacking = wanted.filter { found[$0] == nil }
            if !lacking.isEmpty { problems.append("\(parts[0]).\(name) lacks the columns \(lacking.joined(separator: ", "))") }
        }
        return problems
    }

    /// The id of the `exportimport` row with the lineage's index file and region; created when
    /// there is none (unless `create` is false), closed at once (`thru_timestamp` =
    /// `from_timestamp`) so the reference server's own importer does not start importing the
    /// same feed until the operator opens it. Replicas take turns, so only one row is created.
    static func exportImportID(_ lineage: ReferenceLineage, schema: String, database: PostgresDatabase, create: Bool) async throws -> Int64? {
        var binds = PostgresBindings()
        binds.append(lineage.indexFile)
        binds.append(lineage.region)
        let find = PostgresQuery(
            unsafeSQL: "SELECT id FROM \(schema).exportimport WHERE index_file = $1 AND region = $2 ORDER BY id LIMIT 1",
            binds: binds)
        guard create else { return try await database.query(find).decode(Int64.self).first { _ in true } }
        let findBinds = binds
        return try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(schema + ".exportimport enmigrate")))", logger: connection.logger)
            if let id = try await connection.query(find, logger: connection.logger).decode(Int64.self).first(where: { _ in true }) { return id }
            var insert = findBinds
            insert.append(lineage.exportRoot)
            insert.append(lineage.traveler)
            insert.append(Date())
            return try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO \(schema).exportimport (index_file, export_root, region, traveler, from_timestamp, thru_timestamp)
                        VALUES ($1, $3, $2, $4, $5, $5) RETURNING id
                        """, binds: insert), logger: connection.logger
            ).decode(Int64.self).first { _ in true }
        }
    }

    public func referencePublishReport(now: Date) async throws -> ReferencePublishReport {
        var report = ReferencePublishReport()
        guard let lineage, isReference else { return report }
        let schemaProblems = try await Self.referenceSchemaProblems(table, database: database)
        guard schemaProblems.isEmpty else {
            report.problems = schemaProblems
            return report
        }
        let configs = try await ReferenceExportConfig.active(schema: referenceSchema, now: now, database: database)
        let publishing = configs.filter { $0.selects(region: lineage.region, traveler: lineage.traveler) }
        if publishing.isEmpty {
            report.problems.append(
                "no active export config in \(referenceSchema).exportconfig publishes region \(lineage.region)"
                    + (configs.isEmpty ? " (there is none)" : ": " + configs.map(\.summary).joined(separator: "; "))
                    + "; add one with output_region \(lineage.region) (or input_regions {\(lineage.region)}), or set national.importedKeys.region to a region one exports"
            )
        } else {
            report.facts.append("published by " + publishing.map(\.summary).joined(separator: "; "))
        }
        // The row the imports use (found, or made on first use as an import would make it).
        guard let exportImportID = try await prepared() else {
            report.facts.append("no keys imported yet")
            return report
        }
        var binds = PostgresBindings()
        binds.append(exportImportID)
        let countRows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT count(*), count(*) FILTER (WHERE app_package_name IS NULL), count(*) FILTER (WHERE regions IS NULL OR NOT regions && ARRAY[\(Self.literal(lineage.region))]::text[])
                    FROM \(table) WHERE export_import_id = $1
                    """, binds: binds)
        ).decode((Int64, Int64, Int64).self)
        var counts: (Int64, Int64, Int64) = (0, 0, 0)
        for try await row in countRows { counts = row }
        report.migratedKeys = Int(counts.0)
        if counts.1 > 0 {
            report.problems.append(
                "\(counts.1) migrated rows of \(table) have no app_package_name: the reference export worker fails every batch that holds one")
        }
        if counts.2 > 0 {
            report.problems.append(
                "\(counts.2) migrated rows of \(table) lack region \(lineage.region): no export config selecting \(lineage.region) publishes them")
        }
        guard let config = publishing.first else { return report }
        let query = ReferenceBatchQuery(config: config, exportImportID: exportImportID, table: table)
        report.selectedKeys = try await query.count(database: database)
        if report.selectedKeys < report.migratedKeys {
            report.problems.append("export config \(config.id)'s batch query selects \(report.selectedKeys) of the \(report.migratedKeys) migrated keys")
        }
        for revised in [false, true] {
            let scan = try await query.scanSample(database: database, revised: revised)
            report.problems += scan.problems
            if scan.rows > 0 {
                report.facts.append("the export worker's \(revised ? "revised-key" : "batch") query read \(scan.rows) sample rows as its Go code does")
            }
        }
        return report
    }

    /// A string as an SQL literal (for a plan value inside a query text).
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
