import ExposureExport
import MigrationPlan
/// "did you mean" for the command line, on the plan's own rule (`EditDistance.closest`).
enum DidYouMean {
    /// "; did you mean `x`?" or "".
    static func hint(_ word: String, in candidates: [String]) -> String {
        EditDistance.closest(to: word, in: candidates).map { "; did you mean `\($0)`?" } ?? ""
    }
}

extension Enmigrate {
    /// The mistyped subcommand in `arguments` (the first one that is not an option), with the
    /// closest verb, or nil when it names a verb or there is none.
    public static func unknownVerb(in arguments: [String]) -> (word: String, message: String)? {
        guard let word = arguments.first, !word.hasPrefix("-") else { return nil }
        let verbs = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !verbs.contains(word) else { return nil }
        return (
            word,
            "error: unknown command `\(TerminalSafe.text(word))`" + DidYouMean.hint(word, in: verbs)
                + "\nsee `enmigrate --help` for the commands"
        )
    }
}
