import ArgumentParser
import Foundation
import MigrationPlan

/// `enmigrate validate PLAN [--json]`: check a plan offline, reporting every problem at once.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a migration plan and its key files, offline.",
        discussion: """
            Reads only the plan and the key files it names. Prints every problem at once as \
            PLAN:LINE:COLUMN: error[CODE]: message, with a hint where one helps, and the plan hash \
            when the plan is valid. Exit 0 valid, 1 invalid.
            """
    )

    @Argument(help: "The plan file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Flag(help: "Print one JSON document: {valid, planHash, diagnostics[]}.")
    var json = false

    func run() async throws {
        let result = PlanLoader.load(contentsOf: URL(fileURLWithPath: plan), displayName: plan, checks: [BucketLocationCheck()])
        let report = PlanValidationReport(result)
        if json {
            try printJSON(report)
        } else {
            report.printHuman(plan: plan)
        }
        if !result.isValid { throw EnmigrateExit.error }
    }
}
