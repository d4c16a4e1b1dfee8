import MigrationStoreContracts

/// What one import pass did, for progress lines, `status` and tests.
public struct ImportPassSummary: Sendable, Equatable {
    /// Entries in the second feed's index.
    public var indexEntries = 0
    /// Files this pass tried (new, or waiting for a retry).
    public var attempted = 0
    /// Files imported by this pass.
    public var imported = 0
    /// Keys newly stored.
    public var keysInserted = 0
    /// Stored keys revised.
    public var keysRevised = 0
    /// Keys and revisions refused one by one (their files were imported).
    public var keysRejected = 0
    /// The same refusals per file (by index entry) and reason; files with none are left out.
    public var refusedKeys: [String: [RefusedKeys]] = [:]
    /// Files imported with a warning (they end in the future, …): name and warning.
    public var warnings: [FileProblem] = []
    /// Files that failed for good this pass: name and reason.
    public var failed: [FileProblem] = []
    /// Files left for a later pass after transient failures: name and reason.
    public var retrying: [FileProblem] = []
    /// Files another replica claimed and has not settled yet (when replicas share the import).
    public var claimedElsewhere: [String] = []
    /// Imported files found republished under the same name with other content, imported again.
    public var republished: [String] = []

    public init() {}

    /// The pass in one line for the importer's summary event: files, keys, and every refused
    /// key by reason with its count (a key dropped by rule is never dropped without a word).
    public var text: String {
        var line = "\(imported) files imported, \(failed.count) failed, \(retrying.count) waiting for a retry; \(keysInserted) keys stored"
        if keysRevised > 0 { line += ", \(keysRevised) revised" }
        line += "; " + RefusedKeysText.summary(refusedKeys.values.flatMap { $0 })
        if !warnings.isEmpty { line += "; WARNING: \(warnings.count) files end in the future (see below and `status`)" }
        return line
    }
}

/// A file and what went wrong with it.
public struct FileProblem: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public let file: String
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
