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
    /// How imported keys are marked in the national key store (region, app, lineage).
    public let importedKeys: ImportedKeys

    /// The region imported keys are stored with: `importedKeys.region`, else the national
    /// region, else the state's.
    public func importedRegion(state: StateSide) -> String { importedKeys.region ?? region ?? state.region }
}

/// How imported keys are marked, as the reference export-importer marks the keys it imports
/// (its `IMPORT_APP_PACKAGE_NAME`, the import config's region and traveler flag, and the
/// `exportimport` row they hang on).
public struct ImportedKeys: Sendable, Encodable {
    /// The region written with every imported key (nil: the national region, else the state's).
    public let region: String?
    /// `app_package_name` of imported keys in a reference server's table (default `exportimport`,
    /// the reference importer's own default).
    public let appPackageName: String
    /// Whether imported keys are marked as travellers'.
    public let traveler: Bool
    /// `layout=reference`: the `exportimport` row's `index_file` (nil: the second feed's index URL).
    public let exportImportIndex: URL?
    /// `layout=reference`: the `exportimport` row's `export_root` (nil: the second feed's location).
    public let exportImportRoot: URL?

    public init(
        region: String? = nil, appPackageName: String = "exportimport", traveler: Bool = false,
        exportImportIndex: URL? = nil, exportImportRoot: URL? = nil
    ) {
        self.region = region
        self.appPackageName = appPackageName
        self.traveler = traveler
        self.exportImportIndex = exportImportIndex
        self.exportImportRoot = exportImportRoot
    }
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
