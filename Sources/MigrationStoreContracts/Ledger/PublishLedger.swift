import Foundation

/// What dual-export has published and quarantined, so a pass skips work already done and
/// `status` can list what was held back. Keyed by the published object name.
public protocol PublishLedger: Sendable {
    /// The record for `name`, if any.
    func entry(_ name: String) async throws -> PublishLedgerEntry?
    /// Records that `name` was published from a source file with `sourceDigest` and, when the
    /// source store can tell, its content version (``BlobStore/version(of:)``) at that time.
    func recordPublished(_ name: String, sourceDigest: String, sourceVersion: String?, at: Date) async throws
    /// Records that the source of the published `name` was read again and is unchanged, now
    /// under `sourceVersion`; attempts and status stay as they are.
    func recordSourceChecked(_ name: String, sourceVersion: String?, at: Date) async throws
    /// Records that `name` was held back: `permanent` (failed verification) or after transient
    /// failures used up the retries.
    func recordQuarantined(_ name: String, sourceDigest: String?, reason: String, permanent: Bool, at: Date) async throws
    /// Every record, by name.
    func entries() async throws -> [PublishLedgerEntry]
}

/// One published or quarantined file.
public struct PublishLedgerEntry: Sendable, Equatable {
    /// Published, or held back.
    public enum Status: String, Sendable {
        case published
        /// Failed verification (or is malformed): never re-signed or copied.
        case quarantined
        /// Could not be read after the retries; tried again next pass.
        case retrying
    }

    public let name: String
    public let status: Status
    public let sourceDigest: String?
    public let reason: String?
    public let attempts: Int
    /// The source's content version when it was last read (nil: the store cannot tell).
    public let sourceVersion: String?
    /// When the source was last read and its digest compared.
    public let checkedAt: Date?

    public init(
        name: String, status: Status, sourceDigest: String?, reason: String?, attempts: Int,
        sourceVersion: String? = nil, checkedAt: Date? = nil
    ) {
        self.name = name
        self.status = status
        self.sourceDigest = sourceDigest
        self.reason = reason
        self.attempts = attempts
        self.sourceVersion = sourceVersion
        self.checkedAt = checkedAt
    }
}
