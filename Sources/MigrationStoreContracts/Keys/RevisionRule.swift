import Foundation

/// The reference server's allowed report-type revisions, shared by every key store driver:
/// `likely` (or none) may become `confirmed` or `negative`; `user-report` may become
/// `confirmed`, `likely` or `negative`. A key is revised at most once; applying the same
/// revision again changes nothing.
public enum RevisionRule {
    /// What to do with a revision of a key stored as `current`, revised before to `previous`.
    public enum Decision: Equatable, Sendable {
        /// Apply it.
        case apply
        /// Nothing to do: the same revision was applied before.
        case unchanged
        /// Refuse it, with the reason.
        case reject(String)
    }

    /// Decides one revision.
    public static func decide(current: String, previous: String?, target: String) -> Decision {
        if let previous {
            return previous == target ? .unchanged : .reject("already revised to \(previous); a key is revised once")
        }
        let allowed: Set<String> =
            switch current {
            case "", "likely": ["confirmed", "negative"]
            case "user-report": ["confirmed", "likely", "negative"]
            default: []
            }
        return allowed.contains(target) ? .apply : .reject("\(current.isEmpty ? "no report type" : current) cannot become \(target)")
    }

    /// How a rejection names the key without printing key material: the first 4 bytes, hex.
    public static func label(_ keyData: Data) -> String {
        "key " + keyData.prefix(4).map { String(format: "%02x", $0) }.joined() + "…"
    }
}
