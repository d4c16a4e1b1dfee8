/// Limits that protect a reader from hostile or broken files.
public struct ExportLimits: Sendable, Hashable {
    /// Largest archive accepted, in bytes (default 20 MiB, as the reference mirror).
    public var maxArchiveBytes: Int
    /// Largest inflated size of one entry, in bytes (default 64 MiB); stops zip bombs.
    public var maxEntryBytes: Int
    /// Most keys plus revised keys in one file (default 750,000, Apple/Google's upper bound).
    public var maxKeys: Int

    /// The defaults.
    public static let `default` = ExportLimits(maxArchiveBytes: 20 << 20, maxEntryBytes: 64 << 20, maxKeys: 750_000)

    /// Creates limits.
    public init(maxArchiveBytes: Int, maxEntryBytes: Int, maxKeys: Int) {
        self.maxArchiveBytes = maxArchiveBytes
        self.maxEntryBytes = maxEntryBytes
        self.maxKeys = maxKeys
    }
}
