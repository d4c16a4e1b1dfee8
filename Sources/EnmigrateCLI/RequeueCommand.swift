import ArgumentParser
import Foundation
import MigrationEngine

/// `enmigrate requeue PLAN (--file NAME … | --all-failed) --by NAME [--note TEXT] [--json]`.
struct RequeueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue",
        abstract: "Try failed files again: second-feed files the importer refused, client files dual-export quarantined.",
        discussion: """
            A file fails for good when it was read whole and refused (a bad signature, a malformed archive, a key \
            outside its trust window). Once the cause is repaired at the source — the state republished the file, a \
            trust window was widened — requeue puts it back: the next `apply` pass verifies it afresh and imports or \
            re-signs it. Names are as `status` lists them under failed files. Recorded in the journal with who and \
            why. Exit 0 requeued, 1 error (a name that matches no failed file is an error, nothing is changed for it).
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Option(name: .customLong("file"), help: "A failed file to try again (repeatable).")
    var files: [String] = []

    @Flag(name: .customLong("all-failed"), help: "Try every failed file again.")
    var allFailed = false

    @Option(help: "Who requeues (recorded in the journal).")
    var by: String

    @Option(help: "Why (recorded in the journal).")
    var note = ""

    @Flag(help: "Print what was requeued as JSON.")
    var json = false

    func validate() throws {
        guard allFailed || !files.isEmpty else { throw ValidationError("name the files with --file, or give --all-failed") }
        guard !by.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--by: say who requeues") }
    }

    func run() async throws {
        try await EngineErrors.run(json: json) {
            let context = try EngineContext.load(plan)
            let journal = try context.openJournal(create: false)
            let engine = try context.orchestrator(journal: journal, events: { _ in }, withWorkers: false)
            let reason = "requeued by \(by)" + (note.isEmpty ? "" : ": \(note)")
            let requeued = try await context.workers().requeue(files, all: allFailed, reason: reason, at: Date())
            let names = requeued.imports + requeued.dualExport
            if !names.isEmpty { try engine.recordRequeue(files: names, by: by, note: note) }
            if json {
                let object: [String: Any] = ["imports": requeued.imports, "dualExport": requeued.dualExport, "unknown": requeued.unknown]
                print(jsonText(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
            } else {
                for name in requeued.imports { print("requeued for the importer: \(name)") }
                for name in requeued.dualExport { print("requeued for dual-export: \(name)") }
                if names.isEmpty && requeued.unknown.isEmpty { print("no file has failed for good; nothing to requeue") }
                if !names.isEmpty { print("the next `enmigrate apply \(plan)` pass tries them again") }
            }
            if !requeued.unknown.isEmpty {
                printError("error: no failed file is named \(requeued.unknown.joined(separator: ", ")); `enmigrate status \(plan)` lists the failed files")
                throw EnmigrateExit.error
            }
        }
    }
}
