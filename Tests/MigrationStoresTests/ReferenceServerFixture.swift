import Foundation
import MigrationStores
import PostgresNIO

/// A reference server's database in a schema of its own: the final shape of the tables
/// enmigrate touches (Tests/Fixtures/reference-server-schema.sql), and the reference export
/// worker's batch query exactly as its Go code builds it (`generateExposureQuery`).
struct ReferenceServerFixture {
    let schema: String
    let database: MigrationStores.PostgresDatabase
    var table: String { "\(schema).exposure" }

    static func create() async throws -> ReferenceServerFixture {
        let location = try TestPostgres.freshSchema()
        let schema = "ref_" + location.schema.dropFirst(2)
        let database = try MigrationStores.PostgresDatabase(
            location: location, migrations: [PostgresMigration("reference-server", try statements(schema: schema))])
        _ = try await database.query("SELECT 1")
        return ReferenceServerFixture(schema: schema, database: database)
    }

    /// The fixture's statements for `schema`, comments dropped.
    static func statements(schema: String) throws -> [String] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reference-server-schema.sql")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "{schema}", with: schema)
        let code = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }.joined(separator: "\n")
        return code.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    func execute(_ sql: String) async throws {
        _ = try await database.query(PostgresQuery(unsafeSQL: sql))
    }

    /// An export config as the reference admin console writes one.
    func addExportConfig(root: String, output: String?, input: [String]? = nil, exclude: [String]? = nil, travelers: Bool = false) async throws {
        func array(_ values: [String]?) -> String { values.map { "ARRAY[" + $0.map { "'\($0)'" }.joined(separator: ",") + "]::text[]" } ?? "NULL" }
        try await execute(
            """
            INSERT INTO \(schema).exportconfig (filename_root, period_seconds, from_timestamp, output_region, bucket_name, input_regions,
                exclude_regions, include_travelers)
            VALUES ('\(root)', 3600, now() - interval '1 day', \(output.map { "'\($0)'" } ?? "NULL"), 'bucket', \(array(input)), \(array(exclude)), \(travelers))
            """)
    }

    /// The query text of the reference export worker for one batch (`generateExposureQuery`
    /// with one include region, no travelers, since/until set, no cursor), unchanged but for
    /// the table's schema: `$1` the include regions, `$2` since, `$3` until.
    func batchQuery(revised: Bool) -> String {
        var query = """
            SELECT exposure_key, transmission_risk, LOWER(app_package_name), regions, traveler, interval_number, interval_count, \
            created_at, local_provenance, sync_id, sync_query_id, health_authority_id, report_type, days_since_symptom_onset, \
            revised_report_type, revised_at, revised_days_since_symptom_onset FROM \(table) WHERE 1=1 AND (regions && $1)
            """
        let time = revised ? "revised_at" : "created_at"
        if revised { query += " AND revised_at IS NOT NULL" }
        query += " AND \(time) >= $2 AND \(time) < $3 ORDER BY \(time)"
        return query
    }

    /// One row as the export worker scans it (`rows.Scan` into `model.Exposure`): the types
    /// it scans into non-null pointers are decoded as non-optional, so a NULL there throws.
    struct ScannedExposure: Equatable {
        let key: Data
        let transmissionRisk: Int64
        let appPackageName: String
        let regions: [String]?
        let traveler: Bool
        let intervalNumber: Int64
        let intervalCount: Int64
        let createdAt: Date
        let localProvenance: Bool
        let reportType: String
        let daysSinceOnset: Int64?
        let revisedReportType: String?
        let revisedAt: Date?
        let revisedDaysSinceOnset: Int64?
    }

    /// Runs the batch query for region and window and scans every row the Go way.
    func batch(region: String, from: Date, until: Date, revised: Bool) async throws -> [ScannedExposure] {
        var binds = PostgresBindings()
        binds.append([region])
        binds.append(from)
        binds.append(until)
        let rows = try await database.query(PostgresQuery(unsafeSQL: batchQuery(revised: revised), binds: binds))
        var scanned: [ScannedExposure] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            let key = try c[0].decode(String.self)
            _ = try c[9].decode(Int64?.self)
            _ = try c[10].decode(String?.self)
            _ = try c[11].decode(Int64?.self)
            scanned.append(
                ScannedExposure(
                    key: Data(base64Encoded: key) ?? Data(), transmissionRisk: try c[1].decode(Int64.self), appPackageName: try c[2].decode(String.self),
                    regions: try c[3].decode([String]?.self), traveler: try c[4].decode(Bool.self), intervalNumber: try c[5].decode(Int64.self),
                    intervalCount: try c[6].decode(Int64.self), createdAt: try c[7].decode(Date.self), localProvenance: try c[8].decode(Bool.self),
                    reportType: try c[12].decode(String.self), daysSinceOnset: try c[13].decode(Int64?.self),
                    revisedReportType: try c[14].decode(String?.self), revisedAt: try c[15].decode(Date?.self),
                    revisedDaysSinceOnset: try c[16].decode(Int64?.self)))
        }
        return scanned
    }
}
