import ExposureExport
/// "did you mean": the closest of a few known words to a mistyped one, when it is close enough
/// to be a typo (edit distance at most a third of the word, and at most 3).
enum DidYouMean {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= min(3, max(1, word.count / 3)) else { return nil }
        return best.0
    }

    /// "; did you mean `x`?" or "".
    static func hint(_ word: String, in candidates: [String]) -> String {
        closest(to: word, in: candidates).map { "; did you mean `\($0)`?" } ?? ""
    }

    /// Levenshtein distance, insertions, deletions and substitutions costing one.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Enmigrate {
    /// The mistyped subcommand in `arguments` (the first one that is not an option), with the
    /// closest verb, or nil when it names a verb or there is none.
    public static func unknownVerb(in arguments: [String]) -> (word: String, message: String)? {
        guard let word = arguments.first, !word.hasPrefix("-") else { return nil }
        let verbs = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !verbs.contains(word) else { return nil }
        return (word, "error: unknown command `\(TerminalSafe.text(word))`" + DidYouMean.hint(word, in: verbs)
                    + "\nsee `enmigrate --help` for the commands")
    }
}
