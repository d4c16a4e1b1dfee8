import ArgumentParser
import Foundation
import MigrationEngine

/// `enmigrate resume PLAN`: continue a failed or interrupted run from the step that failed.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a failed or interrupted run from the failed step.",
        discussion: "Refuses with exit 6 when the plan changed since the run started, naming both plan hashes."
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Flag(help: "Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).")
    var json = false

    @Option(help: ArgumentHelp("Who runs it, kept on every journal record it writes (default: user@host).", valueName: "NAME"))
    var by: String?

    @Option(help: ArgumentHelp("Why (a change ticket, say), kept on every journal record it writes.", valueName: "TEXT"))
    var note: String?

    func run() async throws {
        try await EngineErrors.run(json: json) {
            var context = try EngineContext.load(plan)
            context.runsHooks = true
            context.attribute(by: by, note: note)
            guard try context.journal.openIfStarted() != nil else {
                printError("nothing to resume: no journal at \(context.journal.description); start with enmigrate apply \(plan)")
                throw EnmigrateExit.error
            }
            let printer = EventPrinter(json: json, plan: plan)
            let outcome = try await ApplyCommand.advance(context: context, until: nil, once: true, printer: printer)
            await context.hooks.drain()
            printer.outcome(outcome)
            throw outcome.exitCode
        }
    }
}
