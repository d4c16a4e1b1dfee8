import Foundation

/// An operator's recorded decision that what one state file holds need not reach phones: its
/// keys the importer refused (a RECURSIVE report type, a key that is not 16 bytes, …), or the
/// file itself when the state's CDN can no longer serve it. Recorded in the hash-chained
/// journal by `enmigrate accept-loss` (who, why, when); without one the proof stays shut.
public struct AcceptedLoss: Sendable, Codable, Equatable {
    /// The state client index entry the decision is about.
    public let file: String
    /// Who decided.
    public let by: String
    /// Why.
    public let note: String
    /// When it was recorded.
    public let at: Date

    public init(file: String, by: String, note: String, at: Date) {
        self.file = file
        self.by = by
        self.note = note
        self.at = at
    }
}
