/// Two keys with the same id and version must be the same key: a phone picks keys by id and
/// version alone and could not tell them apart.
struct KeyIdentityRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        var seen: [String: (path: String, key: KeyReference)] = [:]
        for (path, key) in plan.keyReferences {
            guard let first = seen[key.label] else {
                seen[key.label] = (path, key)
                continue
            }
            if let a = context.fingerprint(first.key), let b = context.fingerprint(key), a != b {
                context.report(path, "key-identity",
                               "key \(key.label) here (\(b)) differs from key \(key.label) at \(first.path) (\(a)): a phone could not tell them apart",
                               hint: "give the new key a new version, e.g. v\(Int(key.version.dropFirst()).map { $0 + 1 } ?? 2)")
            }
        }
    }
}
