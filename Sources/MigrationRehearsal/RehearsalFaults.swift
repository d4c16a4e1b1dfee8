/// The faults a rehearsal injects, parsed from `--faults SPEC`: a comma-separated list of
/// `kill[=N]`, `restart[=N]`, `downloads`, `tamper`, `late-approval`, `unavailable`, `refused-key`,
/// `revocation`, `republished`, `all` or `none`.
public struct RehearsalFaults: Sendable, Equatable, Encodable {
    /// How many times an `apply` (or `approve`) process is killed with SIGKILL at a random moment.
    public var kills = 0
    /// How many times the PostgreSQL server of the journal restarts in the middle of a pass
    /// (needs `--journal postgres://…` and `--restart-command`).
    public var restarts = 0
    /// Client-feed downloads answer 503 until the importer's retries run out (the next pass succeeds).
    public var failingDownloads = false
    /// One published client file is tampered with at rest (a byte flipped).
    public var tamperedFile = false
    /// The key-rotation approval arrives only after the run has waited through several passes.
    public var lateApproval = false
    /// One client file answers 503 to every request until the run blocks on it (the proof is
    /// inconclusive, never passed), then the CDN serves it again.
    public var unavailableFile = false
    /// One client file carries a RECURSIVE key the importer refuses: the proof fails until the
    /// rehearsal accepts the loss on the record (`accept-loss`).
    public var refusedKey = false
    /// The last day revokes a key published earlier: the revocation must reach the national feed.
    public var revocation = false
    /// While the run waits at the gate, the state republishes a file under its old name with
    /// more keys: the standing proof must notice, the importer import it again.
    public var republishedFile = false

    /// No faults.
    public init() {}

    /// Whether any fault is injected.
    public var isEmpty: Bool { self == RehearsalFaults() }

    /// The spec grammar, for help texts and errors.
    public static let grammar =
        "kill[=N], restart[=N], downloads, tamper, late-approval, unavailable, refused-key, revocation, republished, all, none (comma-separated)"

    /// Parses `--faults`; an unknown word is an error naming it.
    public static func parse(_ spec: String) throws(RehearsalError) -> RehearsalFaults {
        var faults = RehearsalFaults()
        for word in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            switch word {
            case "none": continue
            case "all":
                faults.kills = max(faults.kills, 1)
                faults.failingDownloads = true
                faults.tamperedFile = true
                faults.lateApproval = true
                faults.unavailableFile = true
                faults.refusedKey = true
                faults.revocation = true
                faults.republishedFile = true
            case "kill": faults.kills += 1
            case "restart": faults.restarts += 1
            case "unavailable": faults.unavailableFile = true
            case "refused-key": faults.refusedKey = true
            case "revocation": faults.revocation = true
            case "republished": faults.republishedFile = true
            case "downloads": faults.failingDownloads = true
            case "tamper": faults.tamperedFile = true
            case "late-approval": faults.lateApproval = true
            default:
                if word.hasPrefix("restart="), let count = Int(word.dropFirst(8)), (1...50).contains(count) {
                    faults.restarts += count
                    continue
                }
                guard word.hasPrefix("kill="), let count = Int(word.dropFirst(5)), (1...500).contains(count) else {
                    throw .badFaultSpec("--faults: unknown fault `\(word)`; faults: \(grammar); kill=N takes 1 to 500, restart=N 1 to 50")
                }
                faults.kills += count
            }
        }
        return faults
    }
}
