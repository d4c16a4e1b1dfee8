import Foundation

/// A migration plan (format version 1): everything a migration needs, decoded from YAML,
/// with every relative path resolved against the plan file's folder.
///
/// Load one with ``PlanLoader/load(contentsOf:)``; a plan only exists when it has no errors.
public struct MigrationPlan: Sendable, Encodable {
    /// The newest plan format this build reads.
    public static let supportedVersion = 1

    /// How far the migration goes.
    public enum Mode: String, Sendable, Encodable, CaseIterable {
        /// Ends in `mirroring`: uploads stay with the state, phones download the national feed.
        case readOnly = "read-only"
        /// Goes on through `app-update` and `decommission`.
        case full
    }

    /// Plan format version.
    public let version: Int
    /// A name for the migration, used in reports.
    public let name: String
    /// `read-only` or `full`.
    public let mode: Mode
    /// Where the journal lives.
    public let journal: StoreLocation
    /// The state's side: its feeds and where dual-export and mirroring write.
    public let state: StateSide
    /// The national side: its feed, key store and trusted state keys.
    public let national: NationalSide
    /// How workers run.
    public let workers: WorkerSettings
    /// Manual approval gates.
    public let gates: Gates
    /// Decommission settings (used by `full` plans only).
    public let decommission: DecommissionSettings?
    /// How `s3://` and `gs://` locations are reached (`buckets:`).
    public let buckets: BucketSettings
    /// Whether `http://` is allowed for hosts other than loopback.
    public let allowInsecureHTTP: Bool
    /// Absolute path of the folder reports are written to (default `.enmigrate/reports` beside the plan).
    public let reports: String
    /// Absolute path of the folder the key-rotation phase writes its request bundle to, for the
    /// operator to send to Apple/Google (default `.enmigrate/rotation-request` beside the plan).
    public let rotationRequest: String
    /// Commands and webhooks told about events (`hooks:`); nil when the plan has none, so
    /// plans without hooks keep their hash.
    public var hooks: [Hook]?
    /// Where `apply` serves metrics and health probes (`monitoring:`); nil when the plan names
    /// none, so plans without it keep their hash.
    public var monitoring: MonitoringSettings?
}

/// Where a database lives: `sqlite:PATH` (resolved against the plan folder) or `postgres://…`.
public enum StoreLocation: Sendable, Hashable, Encodable, CustomStringConvertible {
    /// An SQLite file at an absolute path.
    case sqlite(path: String)
    /// A PostgreSQL URL (credentials come from the environment, never the plan).
    case postgres(url: String)

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): url
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A key as a plan names it: the id and version phones match, and a PEM file.
public struct KeyReference: Sendable, Hashable, Encodable {
    /// `verification_key_id`.
    public let id: String
    /// `verification_key_version`.
    public let version: String
    /// Absolute path of a PEM public key, when the plan gives one.
    public let publicKey: String?
    /// Absolute path of a PEM private key, when the plan gives one.
    public let privateKey: String?
    /// `id.version`, how messages name the key.
    public var label: String { "\(id).\(version)" }
}

/// A feed phones (or an importer) read: an index URL and the key its files verify with.
public struct FeedReference: Sendable, Hashable, Encodable {
    /// The feed's `index.txt` URL.
    public let index: URL
    /// The key files verify with.
    public let key: KeyReference
    /// Where the state's own export worker publishes after cut-over (client feed only).
    public let origin: URL?
}
