/// One problem (or note) found in a plan, located at a line and column of the plan file.
public struct PlanDiagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    /// How serious it is.
    public enum Severity: String, Sendable, Codable {
        /// The plan cannot be used.
        case error
        /// Worth knowing; the plan is still valid.
        case note
    }

    /// The plan file.
    public let file: String
    /// 1-based line.
    public let line: Int
    /// 1-based column.
    public let column: Int
    /// JSON pointer to the value, e.g. `/state/clientFeed/key/id`.
    public let path: String
    /// Stable code for scripts, e.g. `unknown-key`.
    public let code: String
    /// Error or note.
    public let severity: Severity
    /// What is wrong.
    public let message: String
    /// How to fix it, when there is something useful to say.
    public let hint: String?

    /// Creates a diagnostic.
    public init(
        file: String, line: Int, column: Int, path: String, code: String,
        severity: Severity = .error, message: String, hint: String? = nil
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.code = code
        self.severity = severity
        self.message = message
        self.hint = hint
    }

    /// `PLAN:LINE:COLUMN: error[CODE]: message` and, when there is one, an indented hint line.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue)[\(code)]: \(message)" + (hint.map { "\n    hint: \($0)" } ?? "")
    }

    private enum CodingKeys: String, CodingKey {
        case file, line, column, path, code, severity, message, hint
    }

    /// Encodes every field, `hint` as null when there is none, so scripts see one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(line, forKey: .line)
        try container.encode(column, forKey: .column)
        try container.encode(path, forKey: .path)
        try container.encode(code, forKey: .code)
        try container.encode(severity, forKey: .severity)
        try container.encode(message, forKey: .message)
        try container.encode(hint, forKey: .hint)
    }

    /// File order: line, then column.
    static func fileOrder(_ lhs: PlanDiagnostic, _ rhs: PlanDiagnostic) -> Bool {
        (lhs.line, lhs.column, lhs.path) < (rhs.line, rhs.column, rhs.path)
    }
}
