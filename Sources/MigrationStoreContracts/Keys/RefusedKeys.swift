import Foundation

/// Keys of one file refused by one rule: a stable code for scripts (`key-length`,
/// `rolling-period`, …), the human reason with the offending value, and how many keys.
///
/// Refused keys are never stored, so without these counts a key dropped by rule would vanish
/// without a word while the coverage proof (which reads what phones read) counts it missing.
/// The store keeps them with the file's record, in the import's transaction.
public struct RefusedKeys: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable reason code (lowercase, `-`-separated); one per rule.
    public var code: String
    /// What was wrong, for people ("rolling period 145 is outside 1…144").
    public var reason: String
    /// How many keys of the file this rule refused with this reason.
    public var count: Int

    public init(code: String, reason: String, count: Int) {
        self.code = code
        self.reason = reason
        self.count = count
    }

    public var description: String { "\(code): \(count) × \(reason)" }

    /// Sums counts of the same code and reason; sorted by code, then reason, so every driver
    /// and every render lists them in one order.
    public static func merged(_ groups: some Sequence<RefusedKeys>) -> [RefusedKeys] {
        var counts: [Pair: Int] = [:]
        for group in groups where group.count > 0 { counts[Pair(code: group.code, reason: group.reason), default: 0] += group.count }
        return counts.map { RefusedKeys(code: $0.key.code, reason: $0.key.reason, count: $0.value) }
            .sorted { ($0.code, $0.reason) < ($1.code, $1.reason) }
    }

    private struct Pair: Hashable {
        let code: String
        let reason: String
    }
}

extension [RefusedKeys] {
    /// All refused keys in these groups.
    public var total: Int { reduce(0) { $0 + $1.count } }
}
