import ArgumentParser
import Foundation
import MigrationEngine
import MigrationPlan

/// `enmigrate plan PLAN [--json]`: the dry run.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Dry run: show what apply would do now, changing nothing.",
        discussion: """
            The same path as apply with side effects switched off: checks run for real, workers only \
            describe their work, and nothing is written or created (an existing journal is opened read-only). \
            Exit 0 nothing to do, 2 changes pending, 3 blocked by a check that fails on data that exists, \
            6 the plan file is not the plan the run runs on: each changed field is listed with its line \
            and whether it needs a new run; when none does, `enmigrate adopt` takes the changes up.
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
            if let journal, let run = try journal.run(), case let current = try journal.currentPlanHash(of: run), current != context.planHash {
                try showPlanChange(context.planChange(in: journal), started: current, now: context.planHash)
                throw EnmigrateExit.planChanged
            }
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

    /// The plan file is not the plan the run started with: what changed, field by field, and
    /// which fields make it a new run (exit 6).
    private func showPlanChange(_ diff: PlanDiff?, started: String, now: String) throws {
        struct Output: Encodable {
            let planChanged = true
            let startedWith: String
            let planHash: String
            let changes: [PlanDiff.Change]?
            let onlySafe: Bool?
        }
        if json {
            return try printJSON(Output(startedWith: started, planHash: now, changes: diff?.changes, onlySafe: diff?.onlySafe))
        }
        print("the plan changed since the run started (the run's plan \(started), the file's \(now)):")
        guard let diff else {
            print("  the run was started by an older enmigrate, which kept only the plan's hash: compare the file with the one it started with")
            return
        }
        for change in diff.changes {
            print(
                "  " + change.located(in: plan)
                    + (change.safe ? "" : " — needs a new run"))
        }
        let unsafe = diff.changes.filter { !$0.safe }.map(\.path)
        if unsafe.isEmpty {
            print(
                "every change is safe to take up mid-run: enmigrate adopt \(plan) --by NAME (stop a running apply first, start it again after)"
            )
        } else {
            print(
                "a new run is needed for: \(unsafe.joined(separator: ", ")) (keys, regions, roots, the mode and locations are what the run migrates); put those fields back to go on"
            )
        }
    }
}
