import ArgumentParser
import Foundation
import MigrationEngine
import MigrationPlan

/// `enmigrate adopt PLAN --by NAME [--note TEXT] [--json]`: a running migration takes up a
/// changed plan whose every change is safe.
struct AdoptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Take up a changed plan mid-run when every change is safe, recorded in the journal.",
        discussion: """
            Safe changes alter how the work is done, never what is migrated or where: workers (concurrency, \
            interval, retries, timeouts), hooks, how long approvals last, a trusted state key's window widened, \
            and a PostgreSQL journal or key store reached at another host or port with the same user, database \
            and schema (a failover). Anything else (keys, regions, roots, the mode, locations) needs a new run; \
            adopt then exits 6 naming each such field. The adoption is a journal record (who, when, each change); \
            approvals already given stay valid. It needs the run lock: stop a running apply first (SIGTERM stops \
            it cleanly), adopt, then start apply with the changed plan. Exit 0 adopted or nothing to adopt, \
            5 another process holds the run, 6 a change needs a new run.
            """
    )

    @Argument(help: "The changed plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Option(help: ArgumentHelp("Who adopts it, kept in the journal.", valueName: "NAME"))
    var by: String

    @Option(help: ArgumentHelp("Why (a change ticket, say), kept in the journal.", valueName: "TEXT"))
    var note: String?

    @Flag(help: "Print one JSON document: {outcome: adopted or unchanged, planHash, from, changes[]}.")
    var json = false

    func run() async throws {
        try await EngineErrors.run(json: json) {
            var context = try EngineContext.load(plan)
            context.attribute(by: by, note: note)
            let journal = try context.openJournal(create: false)
            guard let run = try journal.run() else { throw JournalError.missing(path: context.journal.description) }
            let current = try journal.currentPlanHash(of: run)
            var changes: [PlanDiff.Change] = []
            if current != context.planHash {
                guard let diff = try context.planChange(in: journal) else {
                    printError(
                        "\(plan): the run was started by an older enmigrate, which kept only the plan's hash: what changed cannot be shown, "
                            + "so nothing is adopted; put the run's plan back (hash \(current))")
                    throw EnmigrateExit.planChanged
                }
                let unsafe = diff.changes.filter { !$0.safe }
                guard unsafe.isEmpty else {
                    for change in unsafe {
                        printError(change.located(in: plan))
                    }
                    printError(
                        "not adopted: a new run is needed for \(unsafe.map(\.path).joined(separator: ", ")) "
                            + "(keys, regions, roots, the mode and locations are what the run migrates); put those fields back to adopt the rest")
                    throw EnmigrateExit.planChanged
                }
                changes = diff.changes
            }
            let outcome: PlanAdoption
            do {
                outcome = try context.orchestrator(journal: journal, withWorkers: false).adoptPlan(changes: changes.map(\.description), expected: current)
            } catch JournalError.lockHeld(let holder) {
                printError("\(plan): a running apply keeps the plan it loaded: stop it (SIGTERM stops it cleanly), adopt, then start it again")
                throw JournalError.lockHeld(holder: holder)
            }
            try report(outcome, changes: changes, hash: context.planHash)
        }
    }

    private func report(_ outcome: PlanAdoption, changes: [PlanDiff.Change], hash: String) throws {
        struct Output: Encodable {
            let outcome: String
            let planHash: String
            let from: String?
            let changes: [PlanDiff.Change]
        }
        switch outcome {
        case .adopted(let from):
            if json { return try printJSON(Output(outcome: "adopted", planHash: hash, from: from, changes: changes)) }
            print("adopted \(plan) (plan hash \(hash), was \(from)), recorded by \(by):")
            for change in changes {
                print("  " + change.located(in: plan))
            }
            print("start apply with this plan to go on")
        case .alreadyCurrent:
            if json { return try printJSON(Output(outcome: "unchanged", planHash: hash, from: nil, changes: [])) }
            print("nothing to adopt: the run already runs on \(plan) (plan hash \(hash))")
        }
    }
}
