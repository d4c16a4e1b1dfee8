import ExposureExport
import Foundation
import Testing

@Suite("enmigrate validate, run as a user runs it")
struct ValidateCommandTests {
    private func workspace() throws -> URL { try PlanFolder.make() }

    @Test("a valid plan exits 0 and prints its hash; --json gives the documented document")
    func validPlan() throws {
        let folder = try workspace()
        let human = try CommandRunner.run(["validate", "plan.yaml"], in: folder)
        #expect(human.status == 0, "\(human.stderr)")
        #expect(human.stdout.contains("plan.yaml: valid (plan hash sha256:"))
        let json = try CommandRunner.run(["validate", "plan.yaml", "--json"], in: folder)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["valid"] as? Bool == true)
        #expect((document["planHash"] as? String)?.hasPrefix("sha256:") == true)
        let notes = try #require(document["diagnostics"] as? [[String: Any]])
        #expect(notes.count == 1)
        #expect(Set(notes[0].keys) == ["file", "line", "column", "path", "code", "severity", "message", "hint"])
        #expect(notes[0]["severity"] as? String == "note")
    }

    @Test("an invalid plan exits 1 with PLAN:LINE:COLUMN: error[CODE] and a hint, on standard error")
    func invalidPlan() throws {
        let folder = try workspace()
        let url = folder.appendingPathComponent("plan.yaml")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "  clientFeed:", with: "  clientFed:")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["validate", "plan.yaml"], in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("plan.yaml:12:3: error[unknown-key]: unknown key `clientFed` in `state`"))
        #expect(result.stderr.contains("hint: did you mean `clientFeed`?"))
        let json = try CommandRunner.run(["validate", "plan.yaml", "--json"], in: folder)
        #expect(json.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["valid"] as? Bool == false)
        let first = try #require((document["diagnostics"] as? [[String: Any]])?.first)
        #expect(first["path"] as? String == "/state/clientFed")
        #expect(first["line"] as? Int == 12)
    }

    @Test("a diagnostic shows the plan's line with a caret under the column; a zero duration is called zero")
    func caretAndZero() throws {
        let folder = try workspace()
        let url = folder.appendingPathComponent("plan.yaml")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "expiresAfter: 72h", with: "expiresAfter: 0s")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("expiresAfter: 0s") }) + 1
        let column =
            try #require(text.split(separator: "\n", omittingEmptySubsequences: false)[line - 1].range(of: "0s")).lowerBound.utf16Offset(
                in: text.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]) + 1
        let result = try CommandRunner.run(["validate", "plan.yaml"], in: folder)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("plan.yaml:\(line):\(column): error[bad-duration]: `expiresAfter`: `0s` is zero; it must be greater than zero"),
            "\(result.stderr)")
        let caret = "  \(String(repeating: " ", count: String(line).count)) | " + String(repeating: " ", count: column - 1) + "^"
        #expect(result.stderr.contains("  \(line) |   keyRotation:") && result.stderr.contains(caret + "\n"), "\(result.stderr)")
    }

    @Test("--json keeps its shape when the YAML does not parse: planHash is null, not missing")
    func unparsablePlan() throws {
        let folder = try workspace()
        try "version: 1\nstate: [unclosed\n".write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
        let json = try CommandRunner.run(["validate", "plan.yaml", "--json"], in: folder)
        #expect(json.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["valid", "planHash", "diagnostics"])
        #expect(document["planHash"] is NSNull)
        let first = try #require((document["diagnostics"] as? [[String: Any]])?.first)
        #expect(first["code"] as? String == "yaml-syntax")
    }
}
