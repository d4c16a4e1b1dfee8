import Foundation

/// The state's side of the migration.
public struct StateSide: Sendable, Encodable {
    /// The state's region label, e.g. `US-XX`.
    public let region: String
    /// What the state's phones download today.
    public let clientFeed: FeedReference
    /// The second feed dual-export writes for the national importer.
    public let secondFeed: SecondFeed
    /// Where mirroring publishes the national feed for the state's phones.
    public let clientMirror: PublishTarget
    /// The state's own key database (needed for `secondFeed.source: keyStore`).
    public let keyStore: StoreLocation?
}

/// The second feed, written by dual-export (or by the state itself with `source: external`).
public struct SecondFeed: Sendable, Encodable {
    /// Where the feed's files come from.
    public enum Source: String, Sendable, Encodable, CaseIterable {
        /// Re-sign the verified files of the state's client feed.
        case clientFeed
        /// Build the feed from `state.keyStore` like the reference export worker.
        case keyStore
        /// The state server writes it; enmigrate only checks it.
        case external
    }

    /// Folder (URL) the feed is published under.
    public let location: URL
    /// The feed's root folder under `location`.
    public let root: String
    /// Where its content comes from.
    public let source: Source
    /// Export period; import lag is measured in it.
    public let period: Duration
    /// The signing key (required unless `source` is `external`).
    public let key: KeyReference?
}

/// A place enmigrate publishes a feed: a location URL and a root folder.
public struct PublishTarget: Sendable, Hashable, Encodable {
    /// Folder (URL) the feed is published under.
    public let location: URL
    /// The feed's root folder under `location`.
    public let root: String
}
