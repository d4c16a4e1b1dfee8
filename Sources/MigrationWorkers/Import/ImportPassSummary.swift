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
    /// Files that failed for good this pass: name and reason.
    public var failed: [FileProblem] = []
    /// Files left for a later pass after transient failures: name and reason.
    public var retrying: [FileProblem] = []
    /// Files another replica claimed and has not settled yet (when replicas share the import).
    public var claimedElsewhere: [String] = []

    public init() {}
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
