import ArgumentParser
import Foundation
import MigrationEngine

/// `enmigrate unlock PLAN --force`: break a run lock whose holder is gone on another host.
struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Break the run lock (for a holder that is gone on another host).",
        discussion: "The holder, if it still runs, is fenced off: its next journal write fails and it stops."
    )

    @Argument(help: "The plan file.")
    var plan: String

    @Flag(help: "Required: you confirm the holder is gone.")
    var force = false

    func run() async throws {
        guard force else { throw ValidationError("unlock needs --force: confirm that the holder is gone") }
        try await EngineErrors.run {
            let context = try EngineContext.load(plan)
            let holder = try context.openJournal(create: false).forceUnlock()
            print(holder.map { "unlocked (was held by \($0))" } ?? "the run lock was not held")
        }
    }
}
