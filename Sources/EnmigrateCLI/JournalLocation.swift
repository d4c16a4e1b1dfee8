import Foundation
import MigrationEngine
import MigrationPlan
import MigrationStores

/// Where the plan keeps its journal, and where the workers' local files live beside it.
///
/// `sqlite:PATH` is the embedded default. `postgres://…` keeps the journal and the run lock in
/// PostgreSQL so replicas share one run; the workers' local files (publish ledger, mirror state,
/// coverage snapshot) then live in the plan's reports folder, which replicas must share.
struct JournalLocation: Sendable {
    enum Kind: Sendable {
        case sqlite(path: String)
        case postgres(PostgresLocation)
    }

    let kind: Kind
    /// `journal.db`-like path the local files are named after (`journal.ledger.db`, …).
    let localFilesBase: String

    init(_ location: StoreLocation, reports: String) throws(PostgresLocationError) {
        switch location {
        case .sqlite(let path):
            kind = .sqlite(path: path)
            localFilesBase = path
        case .postgres(let url):
            kind = .postgres(try PostgresLocation(url: url))
            localFilesBase = URL(fileURLWithPath: reports).appendingPathComponent("journal.db").path
        }
    }

    /// For messages: the file, or the database and schema (never a password).
    var description: String {
        switch kind {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }

    /// The journal, read-only, or nil when nothing has run yet (no file, no tables).
    func openIfStarted() throws -> Journal? {
        do {
            return try open(create: false, readOnly: true)
        } catch JournalError.missing {
            return nil
        }
    }

    /// Opens the journal. `create: false` fails with `missing` when nothing has run yet;
    /// `readOnly` never creates or changes anything.
    func open(create: Bool = true, readOnly: Bool = false) throws -> Journal {
        switch kind {
        case .sqlite(let path):
            return try Journal.open(path: path, create: create, readOnly: readOnly)
        case .postgres(let location):
            do {
                return Journal(storage: try PostgresJournalStorage(location: location, create: create, readOnly: readOnly))
            } catch let error as JournalError {
                throw error
            } catch {
                throw JournalError.database("\(error)")
            }
        }
    }
}
