import Foundation
import MigrationPlan

/// What `enmigrate validate` prints, in either form, kept apart from the verb so other verbs
/// that load a plan can show its diagnostics the same way.
struct PlanValidationReport: Encodable {
    /// Whether the plan has no errors (notes do not count).
    let valid: Bool
    /// SHA-256 of the plan's canonical form, when it decoded.
    let planHash: String?
    /// Every error and note, in file order.
    let diagnostics: [PlanDiagnostic]

    init(_ result: PlanLoadResult) {
        valid = result.isValid
        planHash = result.planHash
        diagnostics = result.diagnostics
    }

    /// Human form: each diagnostic as `PLAN:LINE:COLUMN: severity[CODE]: message` plus its
    /// hint line (errors on standard error, notes on standard output), then a summary line.
    func printHuman(plan: String) {
        for diagnostic in diagnostics {
            if diagnostic.severity == .error {
                printError(diagnostic.description)
            } else {
                print(diagnostic.description)
            }
        }
        if valid, let planHash {
            print("\(plan): valid (plan hash \(planHash))")
        } else {
            let errors = diagnostics.filter { $0.severity == .error }.count
            printError("\(plan): \(errors) error\(errors == 1 ? "" : "s")")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case valid, planHash, diagnostics
    }

    /// Exactly `{"valid", "planHash", "diagnostics"}`: `planHash` is null rather than left out
    /// when the plan did not decode, so scripts always see one shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(valid, forKey: .valid)
        try container.encode(planHash, forKey: .planHash)
        try container.encode(diagnostics, forKey: .diagnostics)
    }
}
