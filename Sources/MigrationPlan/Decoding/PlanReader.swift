import Foundation

/// Reads typed values out of the plan's node tree, recording a located diagnostic for every
/// problem and the location of every value (so later rules can point at them too).
final class PlanReader {
    let file: String
    let folder: URL
    private(set) var diagnostics: [PlanDiagnostic] = []
    private(set) var locations: [String: SourceLocation] = [:]

    init(file: String, folder: URL) {
        self.file = file
        self.folder = folder
    }

    func report(
        _ location: SourceLocation, _ path: String, _ code: String, _ message: String,
        hint: String? = nil, severity: PlanDiagnostic.Severity = .error
    ) {
        diagnostics.append(
            PlanDiagnostic(
                file: file, line: location.line, column: location.column, path: path,
                code: code, severity: severity, message: message, hint: hint))
    }

    /// Where the value at `path` stood (or the nearest enclosing value that exists).
    func location(of path: String) -> SourceLocation {
        var current = path
        while !current.isEmpty {
            if let location = locations[current] { return location }
            current = String(current[..<(current.lastIndex(of: "/") ?? current.startIndex)])
        }
        return locations[""] ?? SourceLocation(line: 1, column: 1)
    }

    /// A mapping's fields, after checking the node is a mapping, every key is known (with a
    /// "did you mean" hint) and every required key is present.
    func mapping(_ node: PlanNode, path: String, known: [String], required: [String]) -> PlanMapping? {
        locations[path] = node.location
        guard case let .mapping(entries, location) = node else {
            report(node.location, path, "wrong-type", "\(Self.display(path)) must be a mapping, found \(node.kindName)")
            return nil
        }
        var fields: [String: PlanNode.Entry] = [:]
        var suggested: Set<String> = []
        for entry in entries {
            let entryPath = path + "/" + entry.key
            guard known.contains(entry.key) else {
                let suggestion = Self.closest(to: entry.key, in: known)
                if let suggestion { suggested.insert(suggestion) }
                report(
                    entry.keyLocation, entryPath, "unknown-key", "unknown key `\(entry.key)` in \(Self.display(path))",
                    hint: suggestion.map { "did you mean `\($0)`?" } ?? "known keys: " + known.joined(separator: ", "))
                continue
            }
            fields[entry.key] = entry
            locations[entryPath] = entry.value.location
        }
        // A misspelt required key is one mistake: the "did you mean" already says it.
        for key in required where fields[key] == nil && !suggested.contains(key) {
            report(location, path + "/" + key, "missing-field", "\(Self.display(path)) is missing `\(key)`")
        }
        return PlanMapping(path: path, location: location, fields: fields)
    }

    /// A scalar's text; reports `wrong-type` for a mapping, list or null.
    func scalar(_ mapping: PlanMapping, _ key: String) -> String? {
        guard let entry = mapping.fields[key] else { return nil }
        guard case let .scalar(text, _, _) = entry.value else {
            report(
                entry.value.location, mapping.path + "/" + key, "wrong-type",
                "`\(key)` must be a scalar value, found \(entry.value.kindName)")
            return nil
        }
        return text
    }

    static func display(_ path: String) -> String { path.isEmpty ? "the plan" : "`\(path.dropFirst())`" }

    /// The known key nearest to `key` by edit distance, when it is close enough to be a typo.
    static func closest(to key: String, in candidates: [String]) -> String? {
        EditDistance.closest(to: key, in: candidates)
    }
}

/// The fields of one mapping, with its path and location.
struct PlanMapping {
    let path: String
    let location: SourceLocation
    let fields: [String: PlanNode.Entry]

    func has(_ key: String) -> Bool { fields[key] != nil }
    func node(_ key: String) -> PlanNode? { fields[key]?.value }
    func valueLocation(_ key: String) -> SourceLocation { fields[key]?.value.location ?? location }
}

/// Levenshtein distance, for "did you mean" hints (plan keys and values, verbs, gates).
public enum EditDistance {
    /// The candidate nearest to `word` (case ignored), when it is close enough to be a typo:
    /// at most 2 edits, or a third of the word for longer ones.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, between(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    public static func between(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs), b = Array(rhs)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
