import ExposureExport
import Foundation
import MigrationEngine
import MigrationStoreContracts

/// Before leaving `importing`: every second-feed file listed is imported or failed for good
/// (those are listed as failed files); none waits for a retry and none is still untried, so the
/// import lag is zero when the gate opens. Keys are never dropped for their age.
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
            return CheckResult(
                name: name, outcome: .failed,
                reason: "\(retrying.count) second-feed files wait for a retry: \(shown); run apply again once the feed serves them")
        }
        let failed = index.entries.compactMap { byURL[$0] }.filter { $0.status == .failed }.count
        let untried = index.entries.filter { byURL[$0] == nil }
        if !untried.isEmpty {
            // Every listed file is owed: one not imported yet is keys not yet in the national feed.
            let now = importer.environment.now()
            let oldest = untried.compactMap(Self.endTime).min().map { " (the oldest ends \(Int(now.timeIntervalSince($0) / 3600)) h ago)" } ?? ""
            return CheckResult(
                name: name, outcome: .pending,
                reason: "\(untried.count) second-feed files are not imported yet: " + untried.prefix(5).joined(separator: ", ")
                    + (untried.count > 5 ? ", …" : "") + oldest + "; the next pass of apply imports them")
        }
        let imported = index.entries.count - failed
        // Keys refused by rule are said here too, so "files imported" never hides a dropped key.
        let refused = index.entries.compactMap { byURL[$0] }.flatMap(\.refusedKeys)
        let warned = index.entries.compactMap { byURL[$0]?.note }.count
        return CheckResult(
            name: name, outcome: .passed,
            reason: "\(imported) files imported, \(failed) failed for good"
                + (refused.isEmpty ? "" : "; \(refused.total) keys refused by rule (see status)")
                + (warned == 0 ? "" : "; WARNING: \(warned) files end in the future (see status)"))
    }

    /// The end time in a reference file name `<start>-<end>-<n>.zip`.
    static func endTime(of entry: String) -> Date? {
        let base = entry.split(separator: "/").last ?? Substring(entry)
        let parts = base.split(separator: "-")
        guard parts.count >= 2, let end = TimeInterval(parts[1]) else { return nil }
        return Date(timeIntervalSince1970: end)
    }
}
