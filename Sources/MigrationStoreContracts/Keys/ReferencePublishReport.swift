import Foundation

/// Whether a reference server would publish the keys enmigrate imported into its table:
/// its schema takes enmigrate's rows, an active export config selects their region, and its
/// export worker's own batch query reads every migrated row with every column non-null
/// where its Go code needs it.
public struct ReferencePublishReport: Sendable, Equatable {
    /// What stops the reference server from publishing the keys, each with the fix.
    public var problems: [String] = []
    /// What was found to hold (the configs that publish the keys, how many rows were read).
    public var facts: [String] = []
    /// Keys enmigrate imported (rows of its `exportimport` lineage).
    public var migratedKeys = 0
    /// Of those, how many the publishing export config's batch query selects.
    public var selectedKeys = 0

    public init() {}
}

/// A key store that writes into a reference server's table and can say whether it publishes them.
public protocol ReferencePublishChecking: Sendable {
    /// Reads the reference server's schema, export configs and the migrated rows.
    func referencePublishReport(now: Date) async throws -> ReferencePublishReport
}
