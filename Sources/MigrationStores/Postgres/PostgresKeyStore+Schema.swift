import Foundation
import PostgresNIO

/// The key store's tables (named, versioned migrations).
extension PostgresKeyStore {
    static func migrations(location: PostgresLocation) -> [PostgresMigration] {
        let s = location.schema
        // With the reference layout the keys live in the reference server's table; enmigrate
        // keeps only its bookkeeping of imported files in its own schema.
        let keyTables: [String] =
            location.referenceTable != nil
            ? []
            : [
                """
                CREATE TABLE \(s).exposure (
                    exposure_key BYTEA PRIMARY KEY, transmission_risk INT NOT NULL, interval_number INT NOT NULL,
                    interval_count INT NOT NULL, report_type TEXT NOT NULL DEFAULT '', days_since_symptom_onset INT,
                    regions TEXT[] NOT NULL, traveler BOOLEAN NOT NULL, created_at TIMESTAMPTZ NOT NULL,
                    import_file_id BIGINT REFERENCES \(s).import_file(id),
                    revised_report_type TEXT, revised_transmission_risk INT, revised_days_since_symptom_onset INT,
                    revised_at TIMESTAMPTZ, revised_import_file_id BIGINT REFERENCES \(s).import_file(id),
                    national_file_id BIGINT REFERENCES \(s).national_file(id))
                """,
                "CREATE INDEX exposure_unexported ON \(s).exposure (created_at) WHERE national_file_id IS NULL",
                "CREATE INDEX exposure_national_file ON \(s).exposure (national_file_id) WHERE national_file_id IS NOT NULL",
            ]
        return [
            PostgresMigration(
                location.referenceTable != nil ? "0001-key-store-reference-layout" : "0001-key-store",
                [
                    """
                    CREATE TABLE \(s).import_file (
                        id BIGSERIAL PRIMARY KEY, url TEXT NOT NULL UNIQUE, status TEXT NOT NULL, attempts INT NOT NULL,
                        last_error TEXT, digest TEXT, keys_imported INT NOT NULL DEFAULT 0, updated_at TIMESTAMPTZ NOT NULL)
                    """,
                    """
                    CREATE TABLE \(s).national_file (
                        id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, batch_start BIGINT NOT NULL, batch_end BIGINT NOT NULL,
                        number INT NOT NULL, file_count INT NOT NULL, key_count INT NOT NULL, digest TEXT)
                    """,
                ] + keyTables),
            PostgresMigration(
                "0002-import-claims",
                [
                    "CREATE TABLE \(s).import_claim (url TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)"
                ]),
            // Which national file carries a key's revision as a revised key.
            PostgresMigration(
                "0003-national-revisions",
                location.referenceTable != nil
                    ? []
                    : [
                        "ALTER TABLE \(s).exposure ADD COLUMN revised_national_file_id BIGINT REFERENCES \(s).national_file(id)",
                        "CREATE INDEX exposure_revised_national_file ON \(s).exposure (revised_national_file_id) WHERE revised_national_file_id IS NOT NULL",
                    ]),
            // Counts of keys refused by rule, per file and reason, and a file's warning note
            // (as SQLite's v6): refused keys are never stored, their counts are.
            PostgresMigration(
                "0004-import-refused-keys-and-note",
                [
                    """
                    CREATE TABLE \(s).import_refused_key (
                        url TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL, count INT NOT NULL, PRIMARY KEY (url, code, reason))
                    """,
                    "ALTER TABLE \(s).import_file ADD COLUMN note TEXT",
                ]),
            // The content version a file was imported from, to notice it republished (SQLite's v7).
            PostgresMigration("0005-import-source-version", ["ALTER TABLE \(s).import_file ADD COLUMN source_version TEXT"]),
        ]
    }
}

/// What the PostgreSQL key store refuses, with the fix.
public enum PostgresKeyStoreError: Error, CustomStringConvertible {
    case referenceTable(String)
    case nationalExportWithReferenceLayout(String)
    /// The pending keys changed between counting them and cutting them into files (a writer
    /// outside enmigrate's import); the assignment was rolled back and the next pass tries again.
    case pendingKeysChanged(String)

    public var description: String {
        switch self {
        case .referenceTable(let problem):
            "layout=reference: \(problem); point table= at the reference server's exposure table (schema.table)"
        case .nationalExportWithReferenceLayout(let location):
            "\(location): national.export cannot run on a reference-layout key store: the national server's own export worker publishes these keys; remove national.export"
        case .pendingKeysChanged(let location):
            "\(location): the keys waiting for a national file changed while they were cut into files; nothing was assigned, the next pass tries again"
        }
    }
}
