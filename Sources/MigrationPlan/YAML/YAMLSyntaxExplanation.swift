/// A YAML syntax error in plain words: libyaml's terse problem ("found character that cannot
/// start any token") and the source line it points at become what went wrong and what to do,
/// keeping libyaml's own words at the end for a search.
struct YAMLSyntaxExplanation: Equatable {
    let message: String
    let hint: String?

    /// `problem` as libyaml or Yams said it, at `line`:`column` (1-based) of `text`.
    static func explain(_ problem: String, line: Int, column: Int, in text: String) -> YAMLSyntaxExplanation {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let source = line >= 1 && line <= lines.count ? lines[line - 1] : ""
        let character = column >= 1 && column <= source.count ? source[source.index(source.startIndex, offsetBy: column - 1)] : nil
        let raw = " (libyaml: \(problem))"
        if source.contains("\t") && (problem.contains("cannot start any token") || problem.contains("found a tab")) || character == "\t" {
            return YAMLSyntaxExplanation(
                message: "a tab character on this line: YAML indents with spaces only" + raw,
                hint: "replace the tab with spaces (two per level, as in plans/read-only.yaml)")
        }
        if problem.hasPrefix("duplicated key") {
            let name = problem.dropFirst("duplicated key ".count).prefix { $0 != " " }
            let uses = lines.indices.filter { lines[$0].trimmingCharacters(in: [" "]).hasPrefix("\(name):") }.map { $0 + 1 }
            let at = uses.count > 1 ? " (lines \(uses.map(String.init).joined(separator: ", ")))" : ""
            return YAMLSyntaxExplanation(
                message: problem, hint: "a key may appear once in a mapping: `\(name)` is given more than once\(at); keep one")
        }
        if problem.contains("cannot start any token"), let character {
            return YAMLSyntaxExplanation(
                message: "`\(character)` cannot start a value here" + raw,
                hint: "quote the value: key: \"\(character)…\" (YAML reserves @ and ` and % at the start of a plain value)")
        }
        if problem.contains("mapping values are not allowed") {
            return YAMLSyntaxExplanation(
                message: "a `key: value` where only a value can stand" + raw,
                hint: "a value containing `: ` must be quoted; otherwise check that this line is indented under its key")
        }
        if problem.contains("did not find expected key") || problem.contains("did not find expected '-' indicator") {
            return YAMLSyntaxExplanation(
                message: "this line is not indented like the mapping or list it belongs to" + raw,
                hint: "align it with the other keys of its mapping (the same number of spaces), or indent it further under its key")
        }
        if problem.contains("could not find expected ':'") {
            return YAMLSyntaxExplanation(
                message: "a key without its `:`, or a value that runs on over several lines" + raw,
                hint: "write `key: value` on one line, or quote a value that goes on")
        }
        if problem.contains("end of stream") || problem.contains("did not find expected ',' or ']'")
            || problem.contains("did not find expected ',' or '}'") || problem.contains("found unexpected end")
        {
            // libyaml notices where the value should have ended; the opening is on a line before.
            let opened = (1...max(1, min(line, lines.count))).reversed().first { number in
                let text = lines[number - 1]
                let quotes = text.filter { $0 == "\"" }.count
                return text.filter { $0 == "[" }.count > text.filter { $0 == "]" }.count
                    || text.filter { $0 == "{" }.count > text.filter { $0 == "}" }.count || quotes % 2 == 1
            }
            let place = opened.map { $0 == line ? "on this line" : "on line \($0)" } ?? "before this line"
            return YAMLSyntaxExplanation(
                message: "a quote or a bracket opened \(place) is never closed" + raw,
                hint: "close the quote (\" or ') or the bracket ([ or {) on the line it opens")
        }
        if problem.contains("block sequence entries are not allowed") {
            return YAMLSyntaxExplanation(
                message: "a list item (`- `) where a value was expected" + raw,
                hint: "put the list on the lines below its key, each `- ` indented under it")
        }
        if problem.contains("unknown escape character") {
            return YAMLSyntaxExplanation(
                message: "a backslash escape YAML does not know, inside a double-quoted value" + raw,
                hint: "use single quotes for values with backslashes, or write \\\\ for one backslash")
        }
        return YAMLSyntaxExplanation(message: problem, hint: "see the line and the caret below; YAML is indented with spaces, one `key: value` a line")
    }
}
