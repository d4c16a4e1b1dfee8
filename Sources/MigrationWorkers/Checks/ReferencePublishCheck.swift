import Foundation
import MigrationEngine
import MigrationStoreContracts

/// With `layout=reference`, before the first import and while importing (and in `status`):
/// the reference server would publish the migrated keys — its schema takes enmigrate's rows,
/// an active export config selects their region, and its export worker's own batch query reads
/// every migrated row the way its Go code does. Fails naming what stops it, with the fix.
public struct ReferencePublishCheck: MigrationCheck {
    public let store: any ReferencePublishChecking
    /// How the plan names the store, for the reason.
    public let location: String
    let now: @Sendable () -> Date
    public var name: String { "reference-server-publishes" }

    public init(store: any ReferencePublishChecking, location: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.location = location
        self.now = now
    }

    public func evaluate() async -> CheckResult {
        do {
            let report = try await store.referencePublishReport(now: now())
            guard report.problems.isEmpty else {
                return CheckResult(name: name, outcome: .failed, reason: "\(location): " + report.problems.joined(separator: "; "))
            }
            let keys = report.migratedKeys > 0 ? "all \(report.migratedKeys) migrated keys selected; " : ""
            return CheckResult(name: name, outcome: .passed, reason: keys + report.facts.joined(separator: "; "))
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(location): \(error)")
        }
    }
}
