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
    /// The revision applied to it, if any.
    public var revision: KeyRevision?

    public init(
        keyData: Data, transmissionRisk: Int, intervalNumber: Int32, intervalCount: Int32 = 144,
        reportType: String = "confirmed", daysSinceOnset: Int32? = nil, regions: [String], traveler: Bool = false,
        createdAt: Date, revision: KeyRevision? = nil
    ) {
        self.keyData = keyData
        self.transmissionRisk = transmissionRisk
        self.intervalNumber = intervalNumber
        self.intervalCount = intervalCount
        self.reportType = reportType
        self.daysSinceOnset = daysSinceOnset
        self.regions = regions
        self.traveler = traveler
        self.createdAt = createdAt
        self.revision = revision
    }
}
