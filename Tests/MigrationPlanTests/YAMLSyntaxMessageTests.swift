import Foundation
import Testing

@testable import MigrationPlan

@Suite("YAML syntax errors say what went wrong in plain words, with a hint, at the line and column")
struct YAMLSyntaxMessageTests {
    func diagnostic(_ text: String) throws -> PlanDiagnostic {
        let result = PlanLoader.load(text: text, file: "plan.yaml", folder: FileManager.default.temporaryDirectory)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.diagnostics.count == 1 && diagnostic.code == "yaml-syntax", "\(result.diagnostics)")
        return diagnostic
    }

    @Test(
        "each common mistake gets its explanation and a hint",
        arguments: [
            ("version: 1\nname: x\nworkers:\n\tinterval: 5m\n", "a tab character", "replace the tab with spaces"),
            ("version: 1\nname: @ops\n", "`@` cannot start a value here", "quote the value"),
            ("version: 1\nname: a: b\n", "a `key: value` where only a value can stand", "must be quoted"),
            ("version: 1\nworkers:\n    interval: 5m\n  concurrency: 4\n", "not indented like", "align it"),
            ("version: 1\nworkers:\n  interval: [5m\n  concurrency: 4\n", "opened on line 3 is never closed", "close the quote"),
            ("version: 1\nname: \"x\n", "never closed", "close the quote"),
            ("version: 1\nname: x\nmode: full\nname: y\n", "duplicated key name in a mapping", "`name` is given more than once (lines 2, 4)"),
        ])
    func explained(text: String, message: String, hint: String) throws {
        let diagnostic = try diagnostic(text)
        #expect(diagnostic.message.contains(message), "\(diagnostic.message)")
        #expect(diagnostic.hint?.contains(hint) == true, "\(diagnostic.hint ?? "no hint")")
    }

    @Test("libyaml's own words stay at the end, for a search; the place is the one libyaml gave")
    func rawKept() throws {
        let diagnostic = try diagnostic("version: 1\nname: a: b\n")
        #expect(diagnostic.message.contains("(libyaml: mapping values are not allowed in this context)"), "\(diagnostic.message)")
        #expect(diagnostic.line == 2)
    }
}
