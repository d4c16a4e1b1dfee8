import ExposureExport
import Foundation
import MigrationEngine
import MigrationStores

/// Before leaving `importing`: every second-feed file the importer has tried is imported or
/// failed for good (those are listed as failed files), none waits for a retry, and the import
/// lag — the age, by the engine's clock, of the oldest entry neither imported nor failed — is
/// within one `secondFeed.period`. An entry's age comes from the end time in its name
/// (`<start>-<end>-<n>.zip`). Keys are never dropped for their age.
public struct ImportCompleteCheck: MigrationCheck {
    public let importer: FeedImporter
    public let period: Duration
    public var name: String { "import-complete" }

    public init(importer: FeedImporter, period: Duration) {
        self.importer = importer
        self.period = period
    }

    public func evaluate() async -> CheckResult {
        let index: ExportIndex
        let records: [ImportFileRecord]
        do {
            index = try await importer.index()
            records = try await importer.keyStore.importFiles()
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(error)")
        }
        let byURL = Dictionary(records.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        let retrying = index.entries.compactMap { byURL[$0] }.filter { $0.status == .retrying }
        if !retrying.isEmpty {
            let shown = retrying.prefix(5).map { "\($0.url) (\($0.lastError ?? "?"), \($0.attempts) attempts)" }.joined(separator: "; ")
            return CheckResult(name: name, outcome: .failed,
                               reason: "\(retrying.count) second-feed files wait for a retry: \(shown); run apply again once the feed serves them")
        }
        let failed = index.entries.compactMap { byURL[$0] }.filter { $0.status == .failed }.count
        let untried = index.entries.filter { byURL[$0] == nil }
        let now = importer.environment.now()
        let ages = untried.map { Self.endTime(of: $0).map { now.timeIntervalSince($0) } ?? .infinity }
        let limit = Double(period.components.seconds)
        if let oldest = ages.max(), oldest > limit {
            let shown = oldest.isFinite ? "\(Int(oldest / 3600)) h" : "unknown (no end time in the name)"
            return CheckResult(name: name, outcome: .failed,
                               reason: "import lag \(shown) exceeds one period (\(period)): \(untried.count) files not imported yet, oldest \(untried[ages.firstIndex(of: oldest) ?? 0])")
        }
        let imported = index.entries.count - failed - untried.count
        return CheckResult(name: name, outcome: .passed,
                           reason: "\(imported) files imported, \(failed) failed for good" + (untried.isEmpty ? "" : ", \(untried.count) newer than one period"))
    }

    /// The end time in a reference file name `<start>-<end>-<n>.zip`.
    static func endTime(of entry: String) -> Date? {
        let base = entry.split(separator: "/").last ?? Substring(entry)
        let parts = base.split(separator: "-")
        guard parts.count >= 2, let end = TimeInterval(parts[1]) else { return nil }
        return Date(timeIntervalSince1970: end)
    }
}
