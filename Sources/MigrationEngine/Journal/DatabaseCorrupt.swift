import Foundation

/// A SQLite file (journal, key store, ledger) whose integrity check fails: nothing reads or
/// writes it until it is repaired (exit 7), since a damaged B-tree can return a key twice or
/// not at all.
public struct DatabaseCorrupt: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    /// What SQLite's check said (first lines).
    public let findings: String

    public init(path: String, findings: String) {
        self.path = path
        self.findings = findings
    }

    public var description: String {
        "\(path) is damaged (SQLite integrity check: \(findings)); nothing was changed. Restore it from a backup, or for the "
            + "national key store run the import again into a new file (the second feed is intact); then run apply again"
    }
}
