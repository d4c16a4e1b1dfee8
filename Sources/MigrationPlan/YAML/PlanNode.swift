/// A position in the plan file, 1-based.
public struct SourceLocation: Hashable, Sendable {
    /// 1-based line.
    public let line: Int
    /// 1-based column.
    public let column: Int

    /// Creates a location.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// The plan's YAML as a tree that remembers where every key and value stood, so every
/// diagnostic can point at the exact line and column.
indirect enum PlanNode {
    /// A mapping entry: the key, where the key stands, and its value.
    struct Entry {
        let key: String
        let keyLocation: SourceLocation
        let value: PlanNode
    }

    case scalar(String, quoted: Bool, SourceLocation)
    case mapping([Entry], SourceLocation)
    case sequence([PlanNode], SourceLocation)
    case null(SourceLocation)

    var location: SourceLocation {
        switch self {
        case let .scalar(_, _, location), let .mapping(_, location), let .sequence(_, location), let .null(location):
            location
        }
    }

    /// A word for the kind of value, for "expected X, found Y" messages.
    var kindName: String {
        switch self {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .null: "nothing"
        }
    }
}
