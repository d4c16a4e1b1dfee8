import Foundation
import MigrationEngine
import MigrationWorkers

/// A replica that finds the run lock held while the run is importing joins the import instead
/// of exiting 5: it claims second-feed files a few at a time and imports them until none is
/// left unclaimed, then exits 0; the holder waits for the files it claimed and finishes the step.
/// Only with a PostgreSQL journal (replicas share the run there).
enum ImportJoin {
    /// Joins when the run held by `holder` is in its importing step; returns false otherwise.
    static func joinIfImporting(context: EngineContext, holder: LockHolder, json: Bool) async throws -> Bool {
        guard case .postgres = context.journal.kind,
            let last = try context.openJournal(create: false, readOnly: true).lastRecord(),
            last.phase == .importing, last.status == .running
        else { return false }
        let importer = try context.workers().sharedImporter()
        var files = 0
        var keys = 0
        var problems: [FileProblem] = []
        // Until a pass imports nothing: every file is claimed, settled, or keeps failing (the
        // holder's step reports those).
        while true {
            let summary = try await importer.runPass()
            files += summary.imported
            keys += summary.keysInserted
            problems = summary.failed + summary.retrying
            if summary.imported == 0 { break }
        }
        problems.forEach { printError("export-importer: \($0)") }
        if json {
            let line = try JSONSerialization.data(
                withJSONObject: ["event": "joined-import", "holder": "\(holder)", "files": files, "keys": keys],
                options: [.sortedKeys])
            print(String(decoding: line, as: UTF8.self))
        } else {
            print("joined the import of the run held by \(holder): \(files) second-feed files imported here (\(keys) keys); the holder finishes the step")
        }
        return true
    }
}
