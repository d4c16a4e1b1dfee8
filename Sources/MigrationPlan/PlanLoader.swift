import Crypto
import Foundation

/// What loading a plan gives: the plan when it has no errors, every diagnostic (errors and
/// notes, in file order) and the plan hash.
public struct PlanLoadResult: Sendable {
    /// The plan, or nil when any diagnostic is an error.
    public let plan: MigrationPlan?
    /// Every problem and note, in file order.
    public let diagnostics: [PlanDiagnostic]
    /// SHA-256 of the plan's canonical form, when it decoded.
    public let planHash: String?
    /// The canonical form itself (what ``planHash`` hashes): kept in the journal when a run
    /// starts, so a changed plan can be shown field by field (``PlanDiff``).
    public var canonical: String?
    /// Where each field stood in the file: `/workers/concurrency` → line.
    public var lines: [String: Int] = [:]

    /// Whether the plan is usable.
    public var isValid: Bool { plan != nil }
}

/// Loads and validates plan files. Works offline: it reads only the plan and its key files.
public enum PlanLoader {
    /// Reads, decodes and validates the plan at `url`. Diagnostics name the file as
    /// `displayName` (what the user typed) when given. A file over 1 MiB is refused after
    /// reading one byte past that.
    /// `checks` run after the plan's own rules, on a plan that decoded.
    public static func load(contentsOf url: URL, displayName: String? = nil, checks: [any PlanCheck] = []) -> PlanLoadResult {
        let limits = PlanYAMLLimits.plan
        let file = displayName ?? url.path
        // One byte past the limit is enough to know the file is too large: a huge file (or a
        // device that never ends) is never read whole.
        guard let handle = FileHandle(forReadingAtPath: url.path),
            let data = try? handle.read(upToCount: limits.maxBytes + 1) ?? Data()
        else {
            return failure(file, "plan-unreadable", "cannot read the plan file", hint: "check the path and permissions")
        }
        try? handle.close()
        guard data.count <= limits.maxBytes else { return tooComplex(file, PlanYAMLCostCheck.tooLarge(limits)) }
        guard let text = String(data: data, encoding: .utf8) else {
            return failure(file, "plan-unreadable", "the plan is not UTF-8 text")
        }
        return load(text: text, file: file, folder: url.absoluteURL.deletingLastPathComponent().standardizedFileURL, checks: checks)
    }

    /// Decodes and validates plan text; relative paths resolve against `folder`.
    /// Text that would cost more to load than any plan does — over 1 MiB, 1000 alias uses,
    /// 32 levels deep or 100000 values with its aliases expanded (an alias bomb) — gives one
    /// `yaml-too-complex` error and is never expanded.
    public static func load(text: String, file: String, folder: URL, checks: [any PlanCheck] = []) -> PlanLoadResult {
        let root: PlanNode?
        do {
            root = try PlanYAMLParser.parse(text)
        } catch {
            switch error {
            case let .syntax(line, column, message):
                let explained = YAMLSyntaxExplanation.explain(message, line: line, column: column, in: text)
                return PlanLoadResult(
                    plan: nil,
                    diagnostics: [
                        PlanDiagnostic(
                            file: file, line: line, column: column, path: "", code: "yaml-syntax", message: "YAML syntax: \(explained.message)",
                            hint: explained.hint)
                    ], planHash: nil)
            case let .tooComplex(exceeded):
                return tooComplex(file, exceeded)
            }
        }
        guard let root else { return failure(file, "empty-plan", "the plan is empty", hint: "start from plans/read-only.yaml") }
        let reader = PlanReader(file: file, folder: folder)
        let decoded = PlanDecoder(reader: reader).decode(root)
        let context = PlanRuleContext(reader: reader)
        if let decoded {
            for rule in rules { rule.check(decoded, context) }
            for check in checks {
                for problem in check.problems(in: decoded) {
                    context.report(problem.path, problem.code, problem.message, hint: problem.hint, severity: problem.severity)
                }
            }
        } else {
            // The rules need a decoded plan; key files are still checked, so all problems come at once.
            RawKeyFilesCheck.check(root, context)
        }
        let diagnostics = reader.diagnostics.sorted(by: PlanDiagnostic.fileOrder)
        let hasErrors = diagnostics.contains { $0.severity == .error }
        let canonical = decoded.map { Self.canonical($0, folder: folder, context: context) }
        var result = PlanLoadResult(plan: hasErrors ? nil : decoded, diagnostics: diagnostics, planHash: canonical.map { hash(canonical: $0) })
        result.canonical = canonical
        result.lines = Self.lines(of: root)
        return result
    }

    /// The line of every mapping value and list item, by its path (`/state/clientFeed/index`).
    static func lines(of root: PlanNode) -> [String: Int] {
        var found: [String: Int] = [:]
        func walk(_ node: PlanNode, _ path: String) {
            found[path] = node.location.line
            switch node {
            case .mapping(let entries, _):
                for entry in entries {
                    found[path + "/" + entry.key] = entry.keyLocation.line
                    walk(entry.value, path + "/" + entry.key)
                    found[path + "/" + entry.key] = entry.keyLocation.line
                }
            case .sequence(let items, _):
                for (index, item) in items.enumerated() { walk(item, "\(path)/\(index)") }
            default: break
            }
        }
        walk(root, "")
        return found
    }

    static let rules: [any PlanRule] = [
        KeyIdentifierRule(), KeyFilesRule(), KeyPairRule(), KeyIdentityRule(), PlainHTTPRule(),
        OverlappingLocationsRule(), NationalExportIndexRule(), KeyStoreSourceRule(), ReadOnlyDecommissionRule(), ReferenceLineageURLRule(),
    ]

    /// SHA-256 of the plan's meaning: the canonical JSON of the decoded plan with every path
    /// inside the plan's folder written relative to it (the same plan moved to another folder, or
    /// at another path on a replica, hashes the same), followed by the fingerprint of each key file
    /// it names (a key file replaced by another key changes it; comments, layout and key order in
    /// the YAML do not).
    static func hash(_ plan: MigrationPlan, folder: URL, context: PlanRuleContext) -> String {
        hash(canonical: canonical(plan, folder: folder, context: context))
    }

    static func hash(canonical text: String) -> String {
        "sha256:" + SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The text ``hash(_:folder:context:)`` hashes: the plan's JSON, then one line per key file.
    static func canonical(_ plan: MigrationPlan, folder: URL, context: PlanRuleContext) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types cannot fail; an empty document would still hash.
        var text = String(decoding: (try? encoder.encode(plan)) ?? Data(), as: UTF8.self)
        let base = folder.standardizedFileURL.path
        if base != "/" { text = text.replacingOccurrences(of: base + "/", with: "./") }
        for (path, key) in plan.keyReferences {
            text += "\n\(path)=" + (context.fingerprint(key)?.hex ?? "unreadable")
        }
        return text
    }

    private static func tooComplex(_ file: String, _ exceeded: PlanYAMLCostCheck.Exceeded) -> PlanLoadResult {
        PlanLoadResult(
            plan: nil,
            diagnostics: [
                PlanDiagnostic(
                    file: file, line: exceeded.location.line, column: exceeded.location.column, path: "",
                    code: "yaml-too-complex", message: exceeded.message, hint: exceeded.hint)
            ], planHash: nil)
    }

    private static func failure(_ file: String, _ code: String, _ message: String, hint: String? = nil) -> PlanLoadResult {
        PlanLoadResult(
            plan: nil,
            diagnostics: [
                PlanDiagnostic(
                    file: file, line: 1, column: 1, path: "", code: code,
                    message: message, hint: hint)
            ], planHash: nil)
    }
}
