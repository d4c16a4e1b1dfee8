import ArgumentParser
import Foundation
import MigrationEngine

/// `enmigrate plan PLAN [--json]`: the dry run.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Dry run: show what apply would do now, changing nothing.",
        discussion: """
            The same path as apply with side effects switched off: checks run for real, workers only \
            describe their work, and nothing is written or created (an existing journal is opened read-only). \
            Exit 0 nothing to do, 2 changes pending, 3 blocked by a check that fails on data that exists.
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        try await EngineErrors.run(json: json) {
            let context = try EngineContext.load(plan)
            let journal = try context.journal.openIfStarted()
            let report = try await Orchestrator.dryRun(journal: journal, registry: try context.registry(dryRun: true), definition: context.definition)
            if json {
                try printJSON(report)
            } else {
                print("from:       \(report.startPhase)")
                if !report.transitions.isEmpty { print("would enter: \(report.transitions.joined(separator: " → "))") }
                report.work.forEach { print("  \($0.phase): \($0.worker) would \($0.work)") }
                report.checks.forEach { print("  check \($0.name): \($0.outcome.rawValue)" + ($0.reason.isEmpty ? "" : " — \($0.reason)")) }
                if let gate = report.waitsAt { print("then waits for approval at gate \(gate)") }
                if let blocked = report.blockedBy { print("blocked: \(blocked)") }
                print(report.changesPending ? "changes pending" : "nothing to do")
            }
            if report.blockedBy != nil { throw EnmigrateExit.blocked }
            if report.changesPending { throw EnmigrateExit.changesPending }
        }
    }
}
