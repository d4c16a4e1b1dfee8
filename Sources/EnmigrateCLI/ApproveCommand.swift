import ArgumentParser
import Foundation
import MigrationEngine

/// `enmigrate approve PLAN --gate GATE --by NAME [--note TEXT]`.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a gate (key-rotation, app-update, decommission) for the run waiting at it.",
        discussion: """
            The approval is bound to the plan hash and expires as the plan says. When no apply holds the \
            run lock, approve carries out the gated step itself at once; a running apply picks the approval \
            up within a second. Before the run waits at the gate: exit 3 and nothing is recorded.
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Option(help: "The gate: key-rotation, app-update or decommission.", completion: .list(Gate.allCases.map(\.rawValue)))
    var gate: String

    @Option(help: "Who approves (recorded in the journal).")
    var by: String

    @Option(help: "Why, or the reference of the confirmation (recorded in the journal).")
    var note = ""

    @Flag(help: "Print events as JSON lines (schemas/event.schema.json, enmigrate.event/1).")
    var json = false

    func run() async throws {
        guard let gate = MigrationEngine.Gate(rawValue: gate) else {
            let gates = MigrationEngine.Gate.allCases.map(\.rawValue)
            throw ValidationError("--gate: unknown gate \(gate)\(DidYouMean.hint(gate, in: gates)); gates: \(gates.joined(separator: ", "))")
        }
        try await EngineErrors.run(json: json) {
            var context = try EngineContext.load(plan)
            context.runsHooks = true
            let journal = try context.openJournal(create: false)
            let printer = EventPrinter(json: json, plan: plan)
            // When this process will carry the step out, its workers are built (their stores
            // opened and checked: the quick check of a million-key store is half a second)
            // before the approval is recorded, because the cut-over latency runs from that record.
            let prepared = try journal.holder(at: Date()) == nil ? try context.orchestrator(journal: journal, events: { printer($0) }) : nil
            let engine = try context.orchestrator(journal: journal, events: { printer($0) }, withWorkers: false)
            let approval = try engine.approve(gate, by: by, note: note)
            printer.approved(gate, by: approval.by, note: note, expires: approval.expires)
            if gate == .decommission {
                printer.note("decommission is irreversible: the state's importer and feeds are turned down and cannot be restored")
            }
            if try journal.holder(at: Date()) != nil {
                printer.note("a running apply will carry the step out")
                return
            }
            let outcome = try await ApplyCommand.advance(context: context, until: nil, once: true, printer: printer, prepared: prepared)
            await context.hooks.drain()
            printer.outcome(outcome)
            throw outcome.exitCode
        }
    }
}
