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

    @Argument(help: "The plan file (YAML).")
    var plan: String

    @Flag(help: "Print one JSON document: {valid, planHash, diagnostics[]}.")
    var json = false

    struct Report: Encodable {
        let valid: Bool
        let planHash: String?
        let diagnostics: [PlanDiagnostic]
    }

    func run() async throws {
        let result = PlanLoader.load(contentsOf: URL(fileURLWithPath: plan), displayName: plan)
        if json {
            try printJSON(Report(valid: result.isValid, planHash: result.planHash, diagnostics: result.diagnostics))
        } else {
            for diagnostic in result.diagnostics {
                (diagnostic.severity == .error ? printError : { print($0) })(diagnostic.description)
            }
            if result.isValid, let hash = result.planHash {
                print("\(plan): valid (plan hash \(hash))")
            } else {
                let errors = result.diagnostics.filter { $0.severity == .error }.count
                printError("\(plan): \(errors) error\(errors == 1 ? "" : "s")")
            }
        }
        if !result.isValid { throw EnmigrateExit.error }
    }

}
