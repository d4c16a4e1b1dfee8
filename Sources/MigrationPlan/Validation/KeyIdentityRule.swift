import ExposureExport

/// Two public keys with the same id and version must be the same key: a phone picks keys by
/// id and version alone and could not tell them apart. (A private key against the key that
/// trusts it is the key pair rule's job, so each mistake is reported once.)
struct KeyIdentityRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        var first: [String: (path: String, fingerprint: KeyFingerprint)] = [:]
        var reported: Set<String> = []
        for (path, key) in plan.keyReferences where key.privateKey == nil {
            guard let fingerprint = context.fingerprint(key) else { continue }
            guard let earlier = first[key.label] else {
                first[key.label] = (path, fingerprint)
                continue
            }
            if earlier.fingerprint != fingerprint, reported.insert(key.label).inserted {
                context.report(
                    path, "key-identity",
                    "key \(key.label) here (\(fingerprint)) differs from key \(key.label) at \(earlier.path) (\(earlier.fingerprint)): a phone could not tell them apart",
                    hint: "give one of them a new version")
            }
        }
    }
}
