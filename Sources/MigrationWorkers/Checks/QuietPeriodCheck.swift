import Foundation
import MigrationEngine

/// Before leaving `app-update` when its gate needs no approval: the state's uploads have
/// stopped — the newest file of the second feed ended at least `quietPeriod` ago (the end time
/// in its name, `<start>-<end>-<n>.zip`), so the state's app no longer sends keys to the state.
public struct QuietPeriodCheck: MigrationCheck {
    public let importer: FeedImporter
    public let quietPeriod: Duration
    public var name: String { "uploads-quiet" }

    public init(importer: FeedImporter, quietPeriod: Duration) {
        self.importer = importer
        self.quietPeriod = quietPeriod
    }

    public func evaluate() async -> CheckResult {
        do {
            let entries = try await importer.index().entries
            guard let newest = entries.compactMap(ImportCompleteCheck.endTime(of:)).max() else {
                return CheckResult(name: name, outcome: .passed, reason: "the second feed lists no dated file")
            }
            let quiet = importer.environment.now().timeIntervalSince(newest)
            let needed = Double(quietPeriod.components.seconds)
            let newestText = newest.formatted(.iso8601)
            guard quiet >= needed else {
                return CheckResult(
                    name: name, outcome: .failed,
                    reason: "the state's newest keys are from \(newestText); uploads must be quiet for "
                        + "\(quietPeriod) (\(Int((needed - quiet) / 60)) min to go), or approve the gate app-update explicitly")
            }
            return CheckResult(name: name, outcome: .passed, reason: "no new state keys since \(newestText)")
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(error)")
        }
    }
}
