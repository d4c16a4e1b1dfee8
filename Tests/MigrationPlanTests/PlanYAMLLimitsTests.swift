import CaseReport
import Foundation
import Testing
@testable import MigrationPlan

/// What loading a plan may cost is limited before anything is expanded, so a hostile or broken
/// plan is refused quickly in bounded memory, whichever verb loads it.
@Suite("Loading a plan has limits no real plan gets near")
struct PlanYAMLLimitsTests {
    /// "Billion laughs": nine levels of nine aliases, 9^9 (387 million) scalars once expanded,
    /// in 324 bytes. Before the limits, `enmigrate validate` grew past 5 GB on it.
    static let aliasBomb: String = {
        var lines = [#"a: &a ["x","x","x","x","x","x","x","x","x"]"#]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    static func load(_ text: String) -> PlanLoadResult {
        PlanLoader.load(text: text, file: "plan.yaml", folder: FileManager.default.temporaryDirectory)
    }

    @Test("an alias bomb is refused before it expands, naming the limit and where it was passed")
    func aliasBomb() throws {
        let result = Self.load(Self.aliasBomb)
        #expect(result.plan == nil)
        #expect(result.planHash == nil)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.diagnostics.count == 1, "\(result.diagnostics)")
        #expect(diagnostic.code == "yaml-too-complex")
        #expect(diagnostic.message.contains("100000 values"), "\(diagnostic.message)")
        // `e` stands for 66430 values; the first `*e`, on line 6, takes the plan past 100000.
        #expect((diagnostic.line, diagnostic.column) == (6, 8), "\(diagnostic)")
        #expect(diagnostic.message.contains("`*e`"), "\(diagnostic.message)")
        #expect(diagnostic.hint != nil)
        CaseReport.record(
            50, case: "a YAML alias bomb (367 bytes, nine levels of aliases)", handling: "refused before it expands, by every verb",
            operatorSees: "\(diagnostic.code) at \(diagnostic.line):\(diagnostic.column): \(diagnostic.message)",
            test: "PlanYAMLLimitsTests.aliasBomb")
    }

    @Test("the same bomb used as a mapping key is refused too (hashing the key would expand it)")
    func aliasBombAsKey() throws {
        // Five levels (74738 values) stay under the limit; the key `*e` passes it.
        let text = Self.aliasBomb.components(separatedBy: "\n").prefix(5).joined(separator: "\n") + "\n? *e\n: 1\n"
        let result = Self.load(text)
        #expect(result.diagnostics.map(\.code) == ["yaml-too-complex"], "\(result.diagnostics)")
    }

    @Test("more alias uses than the limit are refused at the first one past it")
    func tooManyAliases() throws {
        let limit = PlanYAMLLimits.plan.maxAliases
        let text = "a: &a x\nb: [" + Array(repeating: "*a", count: limit + 1).joined(separator: ", ") + "]\n"
        let result = Self.load(text)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.diagnostics.map(\.code) == ["yaml-too-complex"], "\(result.diagnostics)")
        #expect(diagnostic.message.contains("\(limit) alias uses"), "\(diagnostic.message)")
        #expect((diagnostic.line, diagnostic.column) == (2, 5 + 4 * limit))
    }

    @Test("nesting deeper than the limit is refused at the collection that goes too deep")
    func tooDeep() throws {
        let limit = PlanYAMLLimits.plan.maxDepth
        let text = "a: " + String(repeating: "[", count: limit) + String(repeating: "]", count: limit) + "\n"
        let result = Self.load(text)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.diagnostics.map(\.code) == ["yaml-too-complex"], "\(result.diagnostics)")
        #expect(diagnostic.message.contains("\(limit) levels"), "\(diagnostic.message)")
        // The root mapping is the first level, so the limit is passed by the last `[`.
        #expect((diagnostic.line, diagnostic.column) == (1, 3 + limit))
    }

    @Test("a plan file larger than the limit is refused without reading it all")
    func tooLarge() throws {
        let limit = PlanYAMLLimits.plan.maxBytes
        let padding = String(repeating: "# padding\n", count: limit / 10 + 1)
        let workspace = try PlanWorkspace()
        let fromFile = try workspace.load(padding + PlanWorkspace.base)
        #expect(fromFile.diagnostics.map(\.code) == ["yaml-too-complex"], "\(fromFile.diagnostics)")
        #expect(fromFile.diagnostics.first?.message.contains("1 MiB") == true, "\(fromFile.diagnostics)")
        #expect((fromFile.diagnostics.first?.line, fromFile.diagnostics.first?.column) == (1, 1))
        let fromText = Self.load(padding + PlanWorkspace.base)
        #expect(fromText.diagnostics.map(\.code) == ["yaml-too-complex"], "\(fromText.diagnostics)")
    }

    @Test("limits are inclusive: exactly at each one the YAML passes, one more is refused")
    func atTheLimits() throws {
        func limits(bytes: Int = 1000, aliases: Int = 10, depth: Int = 10, nodes: Int = 100) -> PlanYAMLLimits {
            PlanYAMLLimits(maxBytes: bytes, maxAliases: aliases, maxDepth: depth, maxNodes: nodes)
        }
        // The root mapping, keys a and b, x, the list and two aliases of one value: 7 values.
        let text = "a: &a x\nb: [*a, *a]\n"
        #expect(PlanYAMLCostCheck.check(text, limits: limits(bytes: text.utf8.count, aliases: 2, depth: 2, nodes: 7)) == nil)
        #expect(PlanYAMLCostCheck.check(text, limits: limits(bytes: text.utf8.count - 1))?.limit == .bytes(text.utf8.count - 1))
        #expect(PlanYAMLCostCheck.check(text + "c: *a\n", limits: limits(aliases: 2))?.limit == .aliases(2))
        #expect(PlanYAMLCostCheck.check(text + "c: [[d]]\n", limits: limits(depth: 2))?.limit == .depth(2))
        #expect(PlanYAMLCostCheck.check(text + "c: d\n", limits: limits(nodes: 7))?.limit == .nodes(7))
    }

    @Test("a plan with a few ordinary aliases still loads, with the aliased values")
    func legitimateAliases() throws {
        let text = PlanWorkspace.base
            .replacingOccurrences(of: "    root: exposureKeyExport-US-XX\n    source", with: "    root: &root exposureKeyExport-US-XX\n    source")
            .replacingOccurrences(
                of: "  clientMirror:\n    location: file:///srv/state/cdn/\n    root: exposureKeyExport-US-XX",
                with: "  clientMirror:\n    location: file:///srv/state/cdn/\n    root: *root"
            )
            .replacingOccurrences(
                of: "retry: { attempts: 5, backoff: 1s, maxBackoff: 60s }",
                with: "retry: &retry { attempts: 5, backoff: 1s, maxBackoff: 60s }"
            )
            .replacingOccurrences(
                of: "    key: { id: \"310\", version: \"v1\", publicKey: keys/state-client.pub.pem }",
                with: "    key: &clientKey { id: \"310\", version: \"v1\", publicKey: keys/state-client.pub.pem }")
        #expect(text.contains("*root"))
        let result = try PlanWorkspace().load(text)
        #expect(result.errors.isEmpty, "\(result.errors)")
        let plan = try #require(result.plan)
        #expect(plan.state.clientMirror.root == "exposureKeyExport-US-XX")
    }

    @Test("a YAML syntax error is still Yams' message at its place")
    func syntaxErrorUnchanged() throws {
        let result = Self.load("a: [1, 2\nb: 3\n")
        #expect(result.diagnostics.map(\.code) == ["yaml-syntax"], "\(result.diagnostics)")
    }
}
