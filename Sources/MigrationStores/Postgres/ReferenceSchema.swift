import Foundation

/// What the reference server's code needs of the tables enmigrate writes with
/// `layout=reference`: each `exposure` column its export worker and publish API scan (and the
/// Go type they scan it into, so a NULL in a non-null one is a failed batch), and the columns
/// of `exportimport` and `importfile` enmigrate writes.
enum ReferenceSchema {
    /// One column: its name, the PostgreSQL types (`udt_name`) the Go scan accepts, and
    /// whether the Go side reads NULL (a pointer or a `sql.Null…`).
    struct Column {
        let name: String
        let types: Set<String>
        let nullable: Bool
    }

    static let integer: Set<String> = ["int2", "int4", "int8"]
    static let text: Set<String> = ["text", "varchar", "bpchar"]
    static let textArray: Set<String> = ["_text", "_varchar"]
    static let time: Set<String> = ["timestamptz", "timestamp"]

    /// The columns of the export worker's batch query (`generateExposureQuery`), in its order.
    static let scanned: [Column] = [
        Column(name: "exposure_key", types: text, nullable: false),
        Column(name: "transmission_risk", types: integer, nullable: false),
        Column(name: "app_package_name", types: text, nullable: false),
        Column(name: "regions", types: textArray, nullable: true),
        Column(name: "traveler", types: ["bool"], nullable: false),
        Column(name: "interval_number", types: integer, nullable: false),
        Column(name: "interval_count", types: integer, nullable: false),
        Column(name: "created_at", types: time, nullable: false),
        Column(name: "local_provenance", types: ["bool"], nullable: false),
        Column(name: "sync_id", types: integer, nullable: true),
        Column(name: "sync_query_id", types: text, nullable: true),
        Column(name: "health_authority_id", types: integer, nullable: true),
        Column(name: "report_type", types: text, nullable: false),
        Column(name: "days_since_symptom_onset", types: integer, nullable: true),
        Column(name: "revised_report_type", types: text, nullable: true),
        Column(name: "revised_at", types: time, nullable: true),
        Column(name: "revised_days_since_symptom_onset", types: integer, nullable: true),
    ]

    /// Further `exposure` columns enmigrate writes (read by the publish API and importer).
    static let written: [Column] = [
        Column(name: "revised_transmission_risk", types: integer, nullable: true),
        Column(name: "export_import_id", types: integer, nullable: true),
        Column(name: "import_file_id", types: integer, nullable: true),
        Column(name: "revised_import_file_id", types: integer, nullable: true),
    ]

    /// Every `exposure` column an insert of enmigrate's sets; any other NOT NULL column must have a default.
    static let inserted: Set<String> = [
        "exposure_key", "transmission_risk", "app_package_name", "regions", "traveler", "interval_number", "interval_count",
        "created_at", "local_provenance", "report_type", "days_since_symptom_onset", "export_import_id", "import_file_id",
    ]

    /// The `exportimport` and `importfile` columns enmigrate reads or writes.
    static let tables: [(table: String, columns: [String])] = [
        ("exportimport", ["id", "index_file", "export_root", "region", "traveler", "from_timestamp", "thru_timestamp"]),
        ("importfile", ["id", "export_import_id", "zip_filename", "discovered_at", "processed_at", "status", "retries"]),
    ]
}
