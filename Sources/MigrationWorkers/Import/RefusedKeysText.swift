import MigrationStoreContracts

/// How refused keys read for people, in the pass summary, `status` and checks: the total, then
/// each rule's code with its count and each distinct reason under it.
public enum RefusedKeysText {
    /// "0 keys refused by rule", or "5 keys refused by rule: key-length 3 (key data is 0 bytes,
    /// not 16: 1; …), rolling-period 2 (…)".
    public static func summary(_ groups: [RefusedKeys]) -> String {
        let merged = RefusedKeys.merged(groups)
        guard !merged.isEmpty else { return "0 keys refused by rule" }
        let byCode = Dictionary(grouping: merged, by: \.code).sorted { $0.key < $1.key }
        return "\(merged.total) keys refused by rule: "
            + byCode.map { code, reasons in
                "\(code) \(reasons.total) (" + reasons.map { "\($0.reason): \($0.count)" }.joined(separator: "; ") + ")"
            }.joined(separator: ", ")
    }

    /// Whether the rule refuses keys phones may still use (the coverage proof then counts them
    /// missing until the loss is accepted), rather than revisions that are only not applied.
    public static func losesKeys(_ code: String) -> Bool {
        !code.hasPrefix("revision-")
    }
}
