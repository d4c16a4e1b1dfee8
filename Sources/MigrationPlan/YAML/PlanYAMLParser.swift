import Yams

/// Parses YAML text into a `PlanNode` tree with locations. YAML syntax errors become one
/// located diagnostic instead of an exception, and so does YAML that would cost more than
/// `limits` allow, found before Yams composes (and this parser expands) anything.
enum PlanYAMLParser {
    enum Failure: Error {
        case syntax(line: Int, column: Int, message: String)
        case tooComplex(PlanYAMLCostCheck.Exceeded)
    }

    static func parse(_ text: String, limits: PlanYAMLLimits = .plan) throws(Failure) -> PlanNode? {
        if let exceeded = PlanYAMLCostCheck.check(text, limits: limits) { throw .tooComplex(exceeded) }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw locate(error)
        } catch {
            throw .syntax(line: 1, column: 1, message: "\(error)")
        }
        return node.map(convert)
    }

    private static func locate(_ error: YamlError) -> Failure {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .syntax(line: mark.line, column: mark.column, message: problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            return duplicatedKeys(duplicates, at: context.mark)
        default:
            return .syntax(line: 1, column: 1, message: error.description)
        }
    }

    /// Yams names a complex (mapping or sequence) key `<uncovertable>` and sorts the repeated
    /// keys with a comparison that orders no scalar against a mapping, nor equal texts with
    /// other tags; its first key, whose mark it gives, then changes from one parse to the next.
    /// So the keys are named sorted here, and the mark is used only when it is the first use of
    /// the smallest plain key; otherwise the diagnostic points at the start of the plan.
    private static func duplicatedKeys(_ duplicates: [String], at mark: Mark) -> Failure {
        let plain = duplicates.filter { $0 != "<uncovertable>" }
        let names = Set(plain).sorted()
        let hasComplexKey = plain.count < duplicates.count
        guard !hasComplexKey, names.count == plain.count else {
            let listed = names.joined(separator: ", ")
            let message =
                switch (hasComplexKey, names.isEmpty) {
                case (false, _): "duplicated key \(listed) in a mapping"
                case (true, true): "duplicated complex (non-scalar) key in a mapping; plan keys are plain words"
                case (true, false): "duplicated key \(listed) and a complex (non-scalar) key in a mapping; plan keys are plain words"
                }
            return .syntax(line: 1, column: 1, message: message)
        }
        return .syntax(line: mark.line, column: mark.column, message: "duplicated key \(names.joined(separator: ", ")) in a mapping")
    }

    private static func location(_ node: Node) -> SourceLocation {
        SourceLocation(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    private static func convert(_ node: Node) -> PlanNode {
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            if !quoted, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null(location(node)) }
            return .scalar(scalar.string, quoted: quoted, location(node))
        case .mapping(let mapping):
            let entries = mapping.map { key, value in
                PlanNode.Entry(key: key.string ?? "\(key)", keyLocation: location(key), value: convert(value))
            }
            return .mapping(entries, location(node))
        case .sequence(let sequence):
            return .sequence(sequence.map(convert), location(node))
        case .alias:
            return .null(location(node))
        }
    }
}
