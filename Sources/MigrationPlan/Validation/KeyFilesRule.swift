import ExposureExport

/// Key files exist, parse as P-256 PEM, and are of the kind the field names; private key
/// files are readable by their owner only.
struct KeyFilesRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        for (path, key) in plan.keyReferences {
            if let file = key.publicKey, case .failure(let error) = context.publicKey(ofFile: file, isPrivate: false) {
                report(error, at: path + "/publicKey", context)
            }
            if let file = key.privateKey, case .failure(let error) = context.publicKey(ofFile: file, isPrivate: true) {
                report(error, at: path + "/privateKey", context)
            }
        }
    }

    private func report(_ error: KeyFileError, at path: String, _ context: PlanRuleContext) {
        context.report(path, error.code, error.message, hint: error.hint)
    }
}
