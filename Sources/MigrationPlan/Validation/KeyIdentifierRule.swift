/// Key ids and versions use `[A-Za-z0-9_]` only, as Apple and Google require.
struct KeyIdentifierRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        for (path, key) in plan.keyReferences {
            for (field, value) in [("id", key.id), ("version", key.version)] where !Self.isValid(value) {
                context.report(
                    path + "/" + field, "bad-key-\(field)",
                    "key \(field) `\(value)` may only contain letters, digits and `_`",
                    hint: field == "id" ? "Apple expects the MCC here, e.g. \"310\"" : "for example v1")
            }
        }
    }

    static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSetASCII.isAlphanumeric($0) || $0 == "_") }
    }
}

enum CharacterSetASCII {
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
