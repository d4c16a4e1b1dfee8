/// Key files of a plan that did not decode: every `publicKey` or `privateKey` the YAML names,
/// checked as ``KeyFilesRule`` checks them, so a missing or unsafe key file is reported with the
/// structural errors instead of only once they are fixed.
enum RawKeyFilesCheck {
    /// Reports each key file under `root` that does not load, at the line of its value.
    static func check(_ root: PlanNode, _ context: PlanRuleContext) {
        walk(root, path: "", context)
    }

    private static func walk(_ node: PlanNode, path: String, _ context: PlanRuleContext) {
        switch node {
        case .mapping(let entries, _):
            for entry in entries {
                let entryPath = path + "/" + entry.key
                if entry.key == "publicKey" || entry.key == "privateKey", case .scalar(let text, _, let location) = entry.value,
                    !text.isEmpty
                {
                    let file = context.reader.resolve(text)
                    if case .failure(let error) = context.publicKey(ofFile: file, isPrivate: entry.key == "privateKey") {
                        context.reader.report(location, entryPath, error.code, error.message, hint: error.hint)
                    }
                } else {
                    walk(entry.value, path: entryPath, context)
                }
            }
        case .sequence(let items, _):
            for (index, item) in items.enumerated() { walk(item, path: "\(path)/\(index)", context) }
        case .scalar, .null:
            break
        }
    }
}
