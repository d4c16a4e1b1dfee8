import ArgumentParser
import Foundation
import MigrationEngine

/// `enmigrate abort PLAN [--restore-client-index] [--by NAME] [--note TEXT]`.
struct AbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Stop the migration before the point of no return, or swap the client index back after it.",
        discussion: """
            Before the key-rotation step, abort stops the run and leaves the state side as it was. After it, \
            only --restore-client-index is allowed (while the state still holds its old key), until \
            decommission starts. While an apply holds the run lock, the abort is recorded and that apply \
            stops at its next step boundary. \
            The restore serves the state's current index from clientFeed.origin when the plan has one (every \
            file it lists verified with the state's client key and copied into the CDN first), else the index \
            the swap replaced (only if it is that index, by the digest sealed with the coverage baseline, and \
            every file it lists still verifies).
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Flag(name: .customLong("restore-client-index"), help: "After cut-over: serve the state's own client index again.")
    var restoreClientIndex = false

    @Option(help: ArgumentHelp("Who aborts, kept in the journal.", valueName: "NAME"))
    var by: String?

    @Option(help: ArgumentHelp("Why, kept in the journal.", valueName: "TEXT"))
    var note: String?

    @Flag(help: "Print one JSON document: {\"outcome\": \"aborted\" or \"abort-pending\", \"message\"}.")
    var json = false

    func run() async throws {
        try await EngineErrors.run(json: json) {
            var context = try EngineContext.load(plan)
            context.attribute(by: by, note: note)
            let journal = try context.openJournal(create: false)
            // Restoring needs the mirror; a plain abort must not open the stores.
            let outcome = try await context.orchestrator(journal: journal, withWorkers: restoreClientIndex)
                .abort(restoreClientIndex: restoreClientIndex, by: by, note: note)
            // "aborted" only when the run has stopped; a request another process must act on says so.
            let pending = if case .abortPending = outcome { true } else { false }
            let message = pending ? outcome.text : restoreClientIndex ? "aborted: the state's own client index is published again" : "aborted"
            if json { try printJSON(["outcome": pending ? "abort-pending" : "aborted", "message": message]) } else { print(message) }
        }
    }
}
