import ExposureExport
import Foundation
import MigrationStoreContracts

/// Turns a key read from a verified second-feed file into the row the national key store
/// keeps, the way the reference export-importer does (`FromExportKey`): validate, map the
/// report type, backfill what the state left out, and date the key so it is not exported
/// while still valid. A key that fails is rejected alone; the rest of its file goes on.
public struct ImportedKeyTransform: Sendable {
    /// Why one key was not imported: the rule's stable code (counted per file and shown by
    /// `status`) and the reason with the offending value.
    public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        public let code: String
        public let reason: String
        public var description: String { reason }

        init(_ code: String, _ reason: String) {
            self.code = code
            self.reason = reason
        }
    }

    /// Region the imported keys are stored with (the plan's `national.importedKeys.region`).
    public let region: String
    /// Region the state's files carry (`state.region`); a file with another is refused.
    public let fileRegion: String
    /// Whether the keys are marked as travellers'.
    public let traveler: Bool
    /// Report type for keys that carry none (`confirmed`, `likely` or "" for none).
    public let backfillReportType: String
    /// Days since onset for keys that carry none (nil: leave empty).
    public let backfillDaysSinceOnset: Int32?
    /// Largest accepted |days since onset|.
    public let maxSymptomOnsetDays: Int32

    public init(
        region: String, fileRegion: String? = nil, traveler: Bool = false, backfillReportType: String = "confirmed",
        backfillDaysSinceOnset: Int32? = 10, maxSymptomOnsetDays: Int32 = 14
    ) {
        self.region = region
        self.fileRegion = fileRegion ?? region
        self.traveler = traveler
        self.backfillReportType = backfillReportType
        self.backfillDaysSinceOnset = backfillDaysSinceOnset
        self.maxSymptomOnsetDays = maxSymptomOnsetDays
    }

    /// The stored form of a primary (first-release) key imported at `now`.
    public func primaryKey(_ key: ExportKey, now: Date) -> Result<StoredKey, Rejection> {
        guard key.keyData.count == 16 else { return .failure(Rejection("key-length", "key data is \(key.keyData.count) bytes, not 16")) }
        guard let start = key.rollingStartIntervalNumber else { return .failure(Rejection("no-rolling-start", "no rolling start interval number")) }
        guard (1...144).contains(key.rollingPeriod) else {
            return .failure(Rejection("rolling-period", "rolling period \(key.rollingPeriod) is outside 1…144"))
        }
        let reportType: String
        switch key.reportType ?? 0 {
        case 0: reportType = backfillReportType
        case 1: reportType = "confirmed"
        case 2: reportType = "likely"
        case 3: reportType = "user-report"
        case 4: return .failure(Rejection("report-type-recursive", "report type RECURSIVE is not accepted"))
        case 5: return .failure(Rejection("report-type-revoked", "a revoked key cannot be a new key"))
        default: return .failure(Rejection("report-type-unknown", "unknown report type \(key.reportType ?? -1)"))
        }
        let risk = Int(key.transmissionRiskLevel ?? 0)
        guard (0...8).contains(risk) else { return .failure(Rejection("transmission-risk", "transmission risk \(risk) is outside 0…8")) }
        let onset = key.daysSinceOnsetOfSymptoms ?? backfillDaysSinceOnset
        if let onset, abs(onset) > maxSymptomOnsetDays {
            return .failure(Rejection("days-since-onset", "days since onset \(onset) is outside ±\(maxSymptomOnsetDays)"))
        }
        return .success(
            StoredKey(
                keyData: key.keyData, transmissionRisk: risk == 0 ? Self.backfillRisk(reportType) : risk,
                intervalNumber: start, intervalCount: key.rollingPeriod, reportType: reportType, daysSinceOnset: onset,
                regions: [region], traveler: traveler, createdAt: Self.createdAt(start: start, period: key.rollingPeriod, now: now)))
    }

    /// The revision a `revised_keys` entry asks for, as the reference server reads it: only
    /// `confirmed` and revoked (stored as `negative`) revise a key; `likely` and `user-report`
    /// revisions are dropped (`nil`); anything malformed is rejected.
    public func revision(_ key: ExportKey) -> Result<KeyRevision, Rejection>? {
        guard key.keyData.count == 16 else { return .failure(Rejection("revision-key-length", "revised key data is \(key.keyData.count) bytes, not 16")) }
        let reportType: String
        switch key.reportType ?? 0 {
        // No report type is read as the backfill type, as the reference importer does.
        case 0 where backfillReportType == "confirmed", 1: reportType = "confirmed"
        case 5: reportType = "negative"
        case 0, 2, 3: return nil
        default: return .failure(Rejection("revision-report-type", "a revision to report type \(key.reportType ?? 0) is not accepted"))
        }
        let risk = Int(key.transmissionRiskLevel ?? 0)
        guard (0...8).contains(risk) else { return .failure(Rejection("revision-transmission-risk", "revised transmission risk \(risk) is outside 0…8")) }
        if let onset = key.daysSinceOnsetOfSymptoms, abs(onset) > maxSymptomOnsetDays {
            return .failure(Rejection("revision-days-since-onset", "revised days since onset \(onset) is outside ±\(maxSymptomOnsetDays)"))
        }
        // A revision without days since onset is backfilled like a new key (the reference
        // importer runs revisions through the same transform).
        return .success(
            KeyRevision(
                keyData: key.keyData, reportType: reportType,
                transmissionRisk: risk == 0 ? Self.backfillRisk(reportType) : risk,
                daysSinceOnset: key.daysSinceOnsetOfSymptoms ?? backfillDaysSinceOnset))
    }

    /// Risk 0 is backfilled from the report type, as the reference server does.
    static func backfillRisk(_ reportType: String) -> Int {
        switch reportType {
        case "confirmed": 2
        case "likely": 4
        case "negative": 6
        default: 0
        }
    }

    /// The reference importer's rule (`transformer.transform`): the import hour (`now`
    /// truncated to the hour, in UTC); a key that expires after that hour is dated at its expiry
    /// plus an hour, truncated to the hour, so it is not exported while phones could still be
    /// broadcasting it. The same rule dates a revision (`revised_at`).
    public static func createdAt(start: Int32, period: Int32, now: Date) -> Date {
        let hour: TimeInterval = 3600
        let batch = (now.timeIntervalSince1970 / hour).rounded(.down) * hour
        let expiry = TimeInterval(Int64(start) + Int64(period)) * 600
        guard batch < expiry else { return Date(timeIntervalSince1970: batch) }
        return Date(timeIntervalSince1970: ((expiry + hour) / hour).rounded(.down) * hour)
    }
}
