import Foundation
import PostgresNIO

/// The reference export worker's batch query (`generateExposureQuery`) for one export config,
/// narrowed to the keys enmigrate imported, and a read of its rows the way the Go code scans
/// them: a NULL where it scans into a non-null type, or a key that is not 16 bytes of base64,
/// fails its whole batch there, so each is a problem here.
struct ReferenceBatchQuery {
    let config: ReferenceExportConfig
    let exportImportID: Int64
    let table: String
    /// Rows read per kind (new keys, revised keys): enough to find a systematic mismatch without
    /// reading millions of rows on every `status`.
    static let sample = 500

    /// The worker's WHERE clause for the config, with `$1` the lineage; `time` the column its
    /// window is on.
    func condition(revised: Bool) -> String {
        var clauses = ["export_import_id = $1"]
        let input = config.effectiveInputRegions
        if input.count == 1 {
            let overlap = "regions && ARRAY[\(PostgresKeyStore.literal(input[0]))]::text[]"
            clauses.append(config.includeTravelers ? "((\(overlap)) OR traveler = true)" : "(\(overlap))")
        }
        if config.excludeRegions.count == 1 {
            clauses.append("NOT (regions && ARRAY[\(PostgresKeyStore.literal(config.excludeRegions[0]))]::text[])")
        }
        if revised { clauses.append("revised_at IS NOT NULL") }
        if config.onlyNonTravelers { clauses.append("traveler = false") }
        return clauses.joined(separator: " AND ")
    }

    /// How many migrated keys the config's query selects over all time.
    func count(database: PostgresDatabase) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(exportImportID)
        let rows = try await database.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE \(condition(revised: false))", binds: binds))
        return Int(try await rows.decode(Int64.self).first { _ in true } ?? 0)
    }

    /// Reads the first rows of the query in its order, column by column as the Go scan does.
    func scanSample(database: PostgresDatabase, revised: Bool) async throws -> (rows: Int, problems: [String]) {
        var binds = PostgresBindings()
        binds.append(exportImportID)
        let columns = ReferenceSchema.scanned.map { $0.name == "app_package_name" ? "LOWER(app_package_name)" : $0.name }
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE \(condition(revised: revised))
                    ORDER BY \(revised ? "revised_at" : "created_at") LIMIT \(Self.sample)
                    """, binds: binds))
        var count = 0
        var problems: [String: Int] = [:]
        for try await row in rows {
            count += 1
            let cells = row.makeRandomAccess()
            for (index, column) in ReferenceSchema.scanned.enumerated() {
                if let problem = Self.problem(cells[index], column: column) { problems[problem, default: 0] += 1 }
            }
        }
        let kind = revised ? "revised rows" : "rows"
        return (count, problems.sorted { $0.key < $1.key }.map { "\($0.value) of \(count) sampled \(kind) of \(table): \($0.key)" })
    }

    /// What the Go scan would fail on in one cell, or nil.
    static func problem(_ cell: PostgresCell, column: ReferenceSchema.Column) -> String? {
        guard cell.bytes != nil else { return column.nullable ? nil : "\(column.name) is NULL, which the export worker scans into a non-null value" }
        do {
            switch column.name {
            case "exposure_key":
                let text = try cell.decode(String.self)
                guard Data(base64Encoded: text)?.count == 16 else { return "exposure_key is not 16 bytes of standard base64" }
            case "interval_number", "interval_count", "days_since_symptom_onset", "revised_days_since_symptom_onset":
                // Scanned into int32: a value beyond it fails the scan.
                guard Int32(exactly: try cell.decode(Int64.self)) != nil else { return "\(column.name) does not fit in 32 bits" }
            default:
                if ReferenceSchema.integer == column.types {
                    _ = try cell.decode(Int64.self)
                } else if ReferenceSchema.text == column.types {
                    _ = try cell.decode(String.self)
                } else if ReferenceSchema.textArray == column.types {
                    _ = try cell.decode([String].self)
                } else if ReferenceSchema.time == column.types {
                    _ = try cell.decode(Date.self)
                } else {
                    _ = try cell.decode(Bool.self)
                }
            }
        } catch {
            return "\(column.name) cannot be read as the export worker reads it"
        }
        return nil
    }
}
