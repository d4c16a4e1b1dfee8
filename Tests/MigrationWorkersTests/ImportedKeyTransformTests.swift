import ExposureExport
import Foundation
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("Imported keys are validated and backfilled like the reference importer")
struct ImportedKeyTransformTests {
    let transform = ImportedKeyTransform(region: "US-XX")
    // 2026-11-22T12:34:56Z
    let now = Date(timeIntervalSince1970: 1_795_869_296)
    var expiredStart: Int32 { Int32(now.timeIntervalSince1970 / 600) - 3 * 144 }

    func key(_ change: (inout ExportKey) -> Void = { _ in }) -> ExportKey {
        var key = ExportKey(
            keyData: Data(repeating: 9, count: 16), transmissionRiskLevel: 5,
            rollingStartIntervalNumber: expiredStart, reportType: 1, daysSinceOnsetOfSymptoms: 2)
        change(&key)
        return key
    }

    func reason(_ result: Result<StoredKey, ImportedKeyTransform.Rejection>) -> String? {
        if case .failure(let rejection) = result { return rejection.reason }
        return nil
    }

    @Test("a valid key keeps its fields and gets the config's region")
    func validKey() throws {
        let stored = try transform.primaryKey(key(), now: now).get()
        #expect(stored.reportType == "confirmed")
        #expect(stored.transmissionRisk == 5)
        #expect(stored.daysSinceOnset == 2)
        #expect(stored.regions == ["US-XX"])
        #expect(stored.intervalCount == 144)
        // An expired key is dated now, truncated to the hour.
        #expect(stored.createdAt == Date(timeIntervalSince1970: 1_795_867_200))
    }

    @Test("report types map 1→confirmed, 2→likely, 3→user-report; absent backfills; 4 and 5 are rejected")
    func reportTypes() throws {
        #expect(try transform.primaryKey(key { $0.reportType = 2 }, now: now).get().reportType == "likely")
        #expect(try transform.primaryKey(key { $0.reportType = 3 }, now: now).get().reportType == "user-report")
        #expect(try transform.primaryKey(key { $0.reportType = nil }, now: now).get().reportType == "confirmed")
        #expect(reason(transform.primaryKey(key { $0.reportType = 4 }, now: now)) == "report type RECURSIVE is not accepted")
        #expect(reason(transform.primaryKey(key { $0.reportType = 5 }, now: now)) == "a revoked key cannot be a new key")
    }

    @Test("risk 0 backfills from the report type; onset absent backfills 10; out-of-range values reject the key")
    func backfillAndRanges() throws {
        #expect(try transform.primaryKey(key { $0.transmissionRiskLevel = 0 }, now: now).get().transmissionRisk == 2)
        #expect(
            try transform.primaryKey(
                key {
                    $0.transmissionRiskLevel = 0; $0.reportType = 2
                }, now: now
            ).get().transmissionRisk == 4)
        #expect(try transform.primaryKey(key { $0.daysSinceOnsetOfSymptoms = nil }, now: now).get().daysSinceOnset == 10)
        #expect(reason(transform.primaryKey(key { $0.transmissionRiskLevel = 9 }, now: now)) == "transmission risk 9 is outside 0…8")
        #expect(reason(transform.primaryKey(key { $0.daysSinceOnsetOfSymptoms = -15 }, now: now)) == "days since onset -15 is outside ±14")
        #expect(reason(transform.primaryKey(key { $0.keyData = Data(count: 32) }, now: now)) == "key data is 32 bytes, not 16")
        #expect(reason(transform.primaryKey(key { $0.rollingPeriod = 0 }, now: now)) == "rolling period 0 is outside 1…144")
        #expect(reason(transform.primaryKey(key { $0.rollingStartIntervalNumber = nil }, now: now)) == "no rolling start interval number")
    }

    @Test("a key not expired at the import hour is dated like the reference importer: expiry plus an hour, truncated")
    func stillValidKey() throws {
        // Expiry at 14:10 (not on the hour): 15:10 truncated → 15:00.
        let start = Int32(now.timeIntervalSince1970 / 600) - 144 + 10
        let expiry = TimeInterval(Int64(start) + 144) * 600
        let stored = try transform.primaryKey(key { $0.rollingStartIntervalNumber = start }, now: now).get()
        #expect(stored.createdAt.timeIntervalSince1970 == ((expiry + 3600) / 3600).rounded(.down) * 3600)
        // Expiry exactly on an hour (a whole day's key): dated one hour after it, as the
        // reference does — not at the expiry itself.
        let dayStart = Int32(now.timeIntervalSince1970 / 86_400) * 144
        let daily = try transform.primaryKey(key { $0.rollingStartIntervalNumber = dayStart }, now: now).get()
        #expect(daily.createdAt.timeIntervalSince1970 == TimeInterval(Int64(dayStart) + 144) * 600 + 3600)
        // Expired after the import hour began but before now (12:20 < 12:34): the reference
        // compares with the truncated hour (12:00), so it is dated 13:00, not 12:00.
        let recent = Int32(now.timeIntervalSince1970 / 600) - 144 - 1
        let late = try transform.primaryKey(key { $0.rollingStartIntervalNumber = recent }, now: now).get()
        #expect(late.createdAt == Date(timeIntervalSince1970: 1_795_867_200 + 3600))
    }

    @Test("a revision without onset is backfilled; one without report type is read as confirmed, as the reference does")
    func revisionBackfill() throws {
        let revision = try #require(transform.revision(key { $0.daysSinceOnsetOfSymptoms = nil }))
        #expect(try revision.get().daysSinceOnset == 10)
        let untyped = try #require(transform.revision(key { $0.reportType = nil }))
        #expect(try untyped.get().reportType == "confirmed")
        #expect(transform.revision(key { $0.reportType = 2 }) == nil)
    }
}
