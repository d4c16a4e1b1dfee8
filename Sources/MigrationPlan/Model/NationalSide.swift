import Foundation

/// The national side of the migration.
public struct NationalSide: Sendable, Encodable {
    /// The national region label, e.g. `US`.
    public let region: String?
    /// What the national server publishes (phones read it after cut-over).
    public let feed: FeedReference
    /// The national key store the importer writes.
    public let keyStore: StoreLocation
    /// The state keys the national importer accepts second-feed files from.
    public let trustedStateKeys: [TrustedStateKey]
    /// Set when enmigrate itself produces the national feed (rehearsals, the demo).
    public let export: NationalExport?
}

/// A state key the national importer trusts, with an optional validity window.
public struct TrustedStateKey: Sendable, Hashable, Encodable {
    /// The key (a public key file).
    public let key: KeyReference
    /// Valid from (RFC 3339), if limited.
    public let from: Date?
    /// Valid through (RFC 3339), if limited.
    public let thru: Date?
}

/// The national feed enmigrate writes itself.
public struct NationalExport: Sendable, Encodable {
    /// Folder (URL) the feed is published under.
    public let location: URL
    /// The feed's root folder under `location`.
    public let root: String
    /// The signing key (a private key file).
    public let key: KeyReference
    /// Split batches above this many keys per file.
    public let maxKeysPerFile: Int
}
