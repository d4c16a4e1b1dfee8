import Foundation
import GRDB
import MigrationEngine

/// Opens the SQLite files the stores keep: creates the folder, waits up to 5 s on a busy file,
/// uses WAL (readers never block the writer), and applies the store's migrations.
enum SQLiteFile {
    /// `cacheMiB` bounds SQLite's page cache per connection. Keys are random, so every insert
    /// lands on a random B-tree page: with SQLite's 2 MiB default, a million-key import spends
    /// most of its time re-reading pages the cache just dropped.
    ///
    /// `readOnly` (the dry run, `status`): the file must exist and is opened read-only — no
    /// folder, no WAL switch, no migration; a file an older enmigrate made (migrations pending)
    /// is refused rather than migrated.
    ///
    /// An existing file gets SQLite's quick check before anything reads it, unless nothing has
    /// written it since its last check and that was less than `checkEvery` ago
    /// (``SQLiteCheckStamp``).
    static func open(
        path: String, migrator: DatabaseMigrator, cacheMiB: Int = 2, readOnly: Bool = false, checkEvery: Duration = .seconds(86_400)
    ) throws -> DatabaseQueue {
        if readOnly { return try openReadOnly(path: path, migrator: migrator) }
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(),
            withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -\(cacheMiB * 1024)") }
        let database = try DatabaseQueue(path: path, configuration: configuration)
        // Racing first opens (two replicas, two first runs) make the schema once.
        let existed = FileManager.default.fileExists(atPath: path)
        try SQLiteMigrationLock.whileLocked(path) {
            try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
            let now = Date()
            if existed, !SQLiteCheckStamp.allowsSkipping(path, every: checkEvery, now: now) {
                let before = SQLiteCheckStamp.current(of: path, at: now)
                try SQLiteMigrationLock.check(path) { sql in try database.read { try String.fetchAll($0, sql: sql) } }
                SQLiteCheckStamp.record(before, for: path)
            }
            try migrator.migrate(database)
        }
        return database
    }

    private static func openReadOnly(path: String, migrator: DatabaseMigrator) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw SQLiteStoreError.missing(path) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let database = try DatabaseQueue(path: path, configuration: configuration)
        guard try database.read({ try migrator.hasCompletedMigrations($0) }) else { throw SQLiteStoreError.outdated(path) }
        return database
    }
}

/// Why a store could not be opened read-only, with what to do.
public enum SQLiteStoreError: Error, CustomStringConvertible {
    case missing(String)
    case outdated(String)

    public var description: String {
        switch self {
        case .missing(let path): "\(path) does not exist"
        case .outdated(let path): "\(path) was made by an older enmigrate: `enmigrate apply` migrates it (a dry run and `status` change nothing)"
        }
    }
}
