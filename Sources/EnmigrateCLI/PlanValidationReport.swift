import ExposureExport
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

    /// Human form: each diagnostic as `PLAN:LINE:COLUMN: severity[CODE]: message`, the plan's
    /// line with a caret under the column, and its hint line (errors on standard error, notes
    /// on standard output), then a summary line.
    func printHuman(plan: String) {
        let source = (try? String(contentsOfFile: plan, encoding: .utf8)).map { $0.split(separator: "\n", omittingEmptySubsequences: false) }
        for diagnostic in diagnostics {
            var lines = diagnostic.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if let source, let excerpt = Self.excerpt(source, line: diagnostic.line, column: diagnostic.column) {
                lines.insert(contentsOf: excerpt, at: 1)
            }
            let text = lines.joined(separator: "\n")
            if diagnostic.severity == .error { printError(text) } else { print(text) }
        }
        if valid, let planHash {
            print("\(plan): valid (plan hash \(planHash))")
        } else {
            let errors = diagnostics.filter { $0.severity == .error }.count
            printError("\(plan): \(errors) error\(errors == 1 ? "" : "s")")
        }
    }

    /// `  31 | the line` and a caret under `column`, or nil when the line is not in the text.
    static func excerpt(_ source: [Substring], line: Int, column: Int) -> [String]? {
        guard line >= 1, line <= source.count else { return nil }
        let text = TerminalSafe.text(String(source[line - 1]).replacingOccurrences(of: "\t", with: " "))
        let number = String(line)
        let gutter = String(repeating: " ", count: number.count)
        return ["  \(number) | \(text)", "  \(gutter) | " + String(repeating: " ", count: max(0, column - 1)) + "^"]
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
