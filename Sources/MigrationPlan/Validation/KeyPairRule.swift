/// A private key's public half is the key its consumer trusts: the second feed's signing key
/// is one of `trustedStateKeys` (same id and version), the national export key is
/// `national.feed.key`. Fingerprints are compared and both files named when they differ.
struct KeyPairRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        if let signing = plan.state.secondFeed.key, plan.state.secondFeed.source != .external {
            let trusted = plan.national.trustedStateKeys.filter { $0.key.id == signing.id && $0.key.version == signing.version }
            if trusted.isEmpty {
                context.report(
                    "/state/secondFeed/key", "untrusted-key",
                    "the second feed is signed with key \(signing.label), but no `national/trustedStateKeys` entry has that id and version",
                    hint: "add { id: \"\(signing.id)\", version: \"\(signing.version)\", publicKey: … } to national.trustedStateKeys")
            }
            for key in trusted { compare(signing, at: "/state/secondFeed/key/privateKey", with: key.key, context) }
        }
        if let export = plan.national.export {
            let feedKey = plan.national.feed.key
            if export.key.id != feedKey.id || export.key.version != feedKey.version {
                context.report(
                    "/national/export/key", "key-mismatch",
                    "the national export signs as \(export.key.label) but phones will look for \(feedKey.label) (`national/feed/key`)")
            }
            compare(export.key, at: "/national/export/key/privateKey", with: feedKey, context)
        }
    }

    private func compare(_ signing: KeyReference, at path: String, with trusted: KeyReference, _ context: PlanRuleContext) {
        guard let mine = context.fingerprint(signing), let theirs = context.fingerprint(trusted),
            let privateFile = signing.privateKey, let publicFile = trusted.publicKey, mine != theirs
        else { return }
        context.report(
            path, "key-mismatch",
            "the public half of \(privateFile) (\(mine)) is not \(publicFile) (\(theirs))",
            hint: "derive the public key with: openssl ec -in \(privateFile) -pubout")
    }
}
