import Foundation

/// What the store knows about one second-feed file: imported, waiting for a retry after a
/// transient failure, or failed for good with a reason.
public struct ImportFileRecord: Sendable, Equatable {
    /// Where the file stands.
    public enum Status: String, Sendable {
        /// Its valid keys are stored.
        case imported
        /// A transient failure (timeout, 5xx, 404); the next import pass tries again.
        case retrying
        /// A permanent failure (bad signature, malformed archive); no key from it is stored.
        case failed
    }

    public let url: String
    public let status: Status
    public let attempts: Int
    public let lastError: String?
    public let digest: String?
    public let keysImported: Int
    /// Keys (and revisions) of the file refused by rule, per reason; empty unless imported.
    public let refusedKeys: [RefusedKeys]
    /// A warning kept with an imported file (it ends in the future, …), for `status`.
    public let note: String?
    /// What identified the file's content when it was imported (``BlobStore/version(of:)``):
    /// a later pass that finds another version re-imports it (republished under its name).
    public let sourceVersion: String?

    public init(
        url: String, status: Status, attempts: Int, lastError: String?, digest: String?, keysImported: Int,
        refusedKeys: [RefusedKeys] = [], note: String? = nil, sourceVersion: String? = nil
    ) {
        self.url = url
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.digest = digest
        self.keysImported = keysImported
        self.refusedKeys = refusedKeys
        self.note = note
        self.sourceVersion = sourceVersion
    }
}

/// A change of a stored key's report type, read from a file's `revised_keys`.
public struct KeyRevision: Sendable, Hashable {
    /// The 16 key bytes of the key being revised.
    public var keyData: Data
    /// The new report type: `confirmed` or `negative` (a revoked key).
    public var reportType: String
    /// The new transmission risk.
    public var transmissionRisk: Int
    /// The new days since onset, when given.
    public var daysSinceOnset: Int32?

    public init(keyData: Data, reportType: String, transmissionRisk: Int, daysSinceOnset: Int32?) {
        self.keyData = keyData
        self.reportType = reportType
        self.transmissionRisk = transmissionRisk
        self.daysSinceOnset = daysSinceOnset
    }
}

/// What importing one file changed.
public struct ImportOutcome: Sendable, Equatable {
    /// Keys newly stored (duplicates from any file are skipped and not counted).
    public var inserted: Int
    /// Stored keys whose revision was applied.
    public var revised: Int
    /// Revisions refused, one reason each (the rest of the file is imported).
    public var rejectedRevisions: [String]
    /// The same refusals per reason, as the store records them with the file.
    public var refusedRevisions: [RefusedKeys] = []
    /// The file was already imported: nothing changed.
    public var alreadyImported: Bool

    /// Notes a refused revision, naming the key by its first bytes only, and counts it under
    /// `code` (the reason without the key, so counts of one rule add up).
    public mutating func reject(_ revision: KeyRevision, code: String, because reason: String) {
        rejectedRevisions.append("\(RevisionRule.label(revision.keyData)): \(reason)")
        refusedRevisions = RefusedKeys.merged(refusedRevisions + [RefusedKeys(code: code, reason: reason, count: 1)])
    }

    public init(inserted: Int = 0, revised: Int = 0, rejectedRevisions: [String] = [], alreadyImported: Bool = false) {
        self.inserted = inserted
        self.revised = revised
        self.rejectedRevisions = rejectedRevisions
        self.alreadyImported = alreadyImported
    }
}

/// One verified second-feed file ready to import: its keys and revisions.
public struct FileImport: Sendable {
    /// The file's index entry.
    public var url: String
    /// SHA-256 (hex) of its export.bin.
    public var digest: String
    public var keys: [StoredKey]
    public var revisions: [KeyRevision]
    /// Keys and revisions the importer refused by rule, per reason (recorded with the file).
    public var refusedKeys: [RefusedKeys]
    /// A warning to keep with the file (see ``ImportFileRecord/note``).
    public var note: String?
    /// The file's content version as read (see ``ImportFileRecord/sourceVersion``).
    public var sourceVersion: String?

    public init(
        url: String, digest: String, keys: [StoredKey], revisions: [KeyRevision] = [], refusedKeys: [RefusedKeys] = [],
        note: String? = nil, sourceVersion: String? = nil
    ) {
        self.url = url
        self.digest = digest
        self.keys = keys
        self.revisions = revisions
        self.refusedKeys = refusedKeys
        self.note = note
        self.sourceVersion = sourceVersion
    }
}
