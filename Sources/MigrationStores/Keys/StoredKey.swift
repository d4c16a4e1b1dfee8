import Foundation

/// A diagnosis key as the national key store keeps it, close to the reference server's
/// `exposure` table.
public struct StoredKey: Sendable, Hashable {
    /// The 16 key bytes (the identity of a key).
    public var keyData: Data
    /// Transmission risk, 0…8.
    public var transmissionRisk: Int
    /// Rolling start interval number.
    public var intervalNumber: Int32
    /// Rolling period, 1…144.
    public var intervalCount: Int32
    /// `confirmed`, `likely`, `user-report`, `negative` or "".
    public var reportType: String
    /// Days since onset of symptoms, when known.
    public var daysSinceOnset: Int32?
    /// Regions the key belongs to.
    public var regions: [String]
    /// Whether the key's owner travelled.
    public var traveler: Bool
    /// When it became eligible for export.
    public var createdAt: Date

    public init(keyData: Data, transmissionRisk: Int, intervalNumber: Int32, intervalCount: Int32 = 144,
                reportType: String = "confirmed", daysSinceOnset: Int32? = nil, regions: [String], traveler: Bool = false,
                createdAt: Date) {
        self.keyData = keyData
        self.transmissionRisk = transmissionRisk
        self.intervalNumber = intervalNumber
        self.intervalCount = intervalCount
        self.reportType = reportType
        self.daysSinceOnset = daysSinceOnset
        self.regions = regions
        self.traveler = traveler
        self.createdAt = createdAt
    }
}

/// What the store knows about one imported (or failed) export file.
public struct ImportFileRecord: Sendable, Equatable {
    /// Where the file was found: imported, or failed for good with a reason.
    public enum Status: String, Sendable {
        case imported
        case failed
    }

    public let url: String
    public let status: Status
    public let attempts: Int
    public let lastError: String?
    public let digest: String?
    public let keysImported: Int

    public init(url: String, status: Status, attempts: Int, lastError: String?, digest: String?, keysImported: Int) {
        self.url = url
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.digest = digest
        self.keysImported = keysImported
    }
}

/// The national key store: keys and the files they came from.
public protocol ExposureKeyStore: Sendable {
    /// Inserts `keys` and records `url` as imported, in one transaction, so a crash never
    /// leaves a file half imported. Keys already stored (from any file) are skipped and not
    /// counted. Importing a file already imported inserts nothing.
    /// - Returns: the number of keys newly stored.
    func importFile(url: String, digest: String, keys: [StoredKey], at: Date) async throws -> Int
    /// Records a permanent failure for `url` (bad signature, malformed archive); no key from it is stored.
    func recordFailure(url: String, reason: String, at: Date) async throws
    /// Every file the store has a record of, by URL.
    func importFiles() async throws -> [ImportFileRecord]
    /// Number of keys stored.
    func keyCount() async throws -> Int
    /// The stored key with these bytes, if any.
    func key(_ keyData: Data) async throws -> StoredKey?
}
