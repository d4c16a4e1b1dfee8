import Foundation
import GRDB

/// The journal's tables, created by named, versioned migrations.
public enum JournalSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-run-records-lease") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run (id INTEGER PRIMARY KEY CHECK (id = 1), plan_hash TEXT NOT NULL, mode TEXT NOT NULL,
                                      required_gates TEXT NOT NULL, started_at DATETIME NOT NULL);
                    CREATE TABLE record (seq INTEGER PRIMARY KEY, at DATETIME NOT NULL, kind TEXT NOT NULL, phase TEXT NOT NULL,
                                         status TEXT NOT NULL, step_done BOOLEAN NOT NULL, attempt INTEGER NOT NULL,
                                         detail TEXT NOT NULL, fence INTEGER NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
                    CREATE TABLE lease (id INTEGER PRIMARY KEY CHECK (id = 1), user TEXT NOT NULL, host TEXT NOT NULL,
                                        pid INTEGER NOT NULL, fence INTEGER NOT NULL, expires_at DATETIME NOT NULL);
                    """)
        }
        // Worker state that lived in files beside the journal (the mirror's state) moves into
        // the journal, so it is fenced like a record and replicas share it with the run.
        migrator.registerMigration("v2-worker-documents") { db in
            try db.execute(
                sql: """
                    CREATE TABLE document (name TEXT PRIMARY KEY, data BLOB NOT NULL, fence INTEGER NOT NULL,
                                           saved_at DATETIME NOT NULL);
                    """)
        }
        return migrator
    }

    static func record(_ row: Row) -> JournalRecord {
        JournalRecord(
            sequence: row["seq"], at: row["at"], kind: JournalRecord.Kind(rawValue: row["kind"]) ?? .checks,
            phase: MigrationPhase(rawValue: row["phase"]) ?? .planned, status: RunStatus(rawValue: row["status"]) ?? .failed,
            stepDone: row["step_done"], attempt: row["attempt"], detail: row["detail"], fence: row["fence"],
            previousHash: row["previous_hash"], hash: row["hash"])
    }

    /// Gates stored as comma-separated names.
    public static func gates(_ text: String) -> Set<Gate> {
        Set(text.split(separator: ",").compactMap { Gate(rawValue: String($0)) })
    }

    public static func gatesText(_ gates: Set<Gate>) -> String {
        gates.map(\.rawValue).sorted().joined(separator: ",")
    }

    static func encode(_ detail: [String: JournalValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(detail)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
