import Yams

/// Parses YAML text into a `PlanNode` tree with locations. YAML syntax errors become one
/// located diagnostic instead of an exception.
enum PlanYAMLParser {
    enum Failure: Error {
        case syntax(line: Int, column: Int, message: String)
    }

    static func parse(_ text: String) throws(Failure) -> PlanNode? {
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
            return .syntax(line: context.mark.line, column: context.mark.column,
                           message: "duplicated key \(duplicates.joined(separator: ", ")) in a mapping")
        default:
            return .syntax(line: 1, column: 1, message: error.description)
        }
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
