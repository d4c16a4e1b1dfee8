import Foundation
import GRDB

/// Opens the SQLite files the stores keep: creates the folder, waits up to 5 s on a busy file,
/// uses WAL (readers never block the writer), and applies the store's migrations.
enum SQLiteFile {
    static func open(path: String, migrator: DatabaseMigrator) throws -> DatabaseQueue {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
        try migrator.migrate(database)
        return database
    }
}
