/// Something unusual in an export file that does not stop it from being read. Real files
/// from many servers carry these; inspection reports them, it never fails on them.
public struct ExportAnomaly: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Stable code for scripts, e.g. `unsorted-keys`.
    public let code: String
    /// What was seen, for a person.
    public let message: String

    /// Creates an anomaly.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
