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

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Flag(help: "Required: you confirm the holder is gone.")
    var force = false

    @Option(help: ArgumentHelp("Who breaks the lock, kept in the journal (default: user@host).", valueName: "NAME"))
    var by: String?

    @Option(help: ArgumentHelp("Why (how you know the holder is gone), kept in the journal.", valueName: "TEXT"))
    var note: String?

    @Flag(help: "Print one JSON document: {\"unlocked\", \"heldBy\", \"holderStillRuns\"}.")
    var json = false

    private struct Result: Encodable {
        let unlocked: Bool
        let heldBy: String?
        let holderStillRuns: Bool
    }

    func run() async throws {
        guard force else { throw ValidationError("unlock needs --force: confirm that the holder is gone") }
        try await EngineErrors.run(json: json) {
            var context = try EngineContext.load(plan)
            context.attribute(by: by, note: note)
            let journal = try context.openJournal(create: false)
            var stillRuns = false
            if let holder = try journal.holder(at: Date()), holder.host == LockOwner.current.host, LockOwner.isAlive(holder.pid) {
                // Breaking a live holder's lock fences it, but it goes on until its next journal write.
                stillRuns = true
                printError(
                    "warning: the holder, process \(holder.pid) on this host, is still running; it is fenced off and stops at "
                        + "its next journal write, but stop it yourself (kill \(holder.pid)) if it is stuck")
            }
            let holder = try journal.breakLock(at: Date())
            if json {
                try printJSON(Result(unlocked: holder != nil, heldBy: holder.map { "\($0)" }, holderStillRuns: stillRuns))
            } else {
                print(holder.map { "unlocked (was held by \($0))" } ?? "the run lock was not held")
            }
        }
    }
}
