import ArgumentParser
import Foundation
import MigrationEngine

/// `enmigrate accept-loss PLAN --file NAME [--file NAME …] --by NAME --note TEXT [--json]`.
struct AcceptLossCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept-loss",
        abstract: "Accept, on the record, that what named state files hold will not reach phones.",
        discussion: """
            The coverage proof stays shut while a state key that phones can get is missing from the national \
            feed: keys the importer refuses by rule (a RECURSIVE report type, transmission risk 9, a key that \
            is not 16 bytes, …) or a listed state file the CDN cannot serve. When such a loss is known and \
            decided, name the state client index entries (as `status` and `verify` print them), who decides \
            and why: the decision is recorded in the hash-chained journal, and the proof, `status`, `verify` and \
            the decommission report list it. Needs no run lock. Exit 0 recorded, 1 error.
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Option(name: .customLong("file"), help: "A state client index entry whose loss is accepted (repeatable).")
    var files: [String] = []

    @Option(help: "Who decides (recorded in the journal).")
    var by: String

    @Option(help: "Why (recorded in the journal; required).")
    var note: String

    @Flag(help: "Print the recorded decision as JSON.")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one state file with --file") }
        guard !by.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--by: say who decides") }
        guard !note.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--note: say why the loss is accepted") }
    }

    func run() async throws {
        try await EngineErrors.run(json: json) {
            let context = try EngineContext.load(plan)
            let journal = try context.openJournal(create: false)
            let engine = try context.orchestrator(journal: journal, events: { _ in }, withWorkers: false)
            let accepted = try engine.acceptLoss(files: files, by: by, note: note)
            if json {
                let objects = accepted.map { ["file": $0.file, "by": $0.by, "note": $0.note, "at": $0.at.formatted(.iso8601)] }
                let data = try JSONSerialization.data(withJSONObject: ["accepted": objects], options: [.sortedKeys])
                print(jsonText(data))
            } else {
                for loss in accepted { print("accepted the loss of \(loss.file) by \(loss.by): \(loss.note)") }
                print("recorded in the journal; the coverage proof no longer waits for these files' keys")
            }
        }
    }
}
