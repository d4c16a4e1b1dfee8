import Foundation
import MigrationStores
import Testing

/// Every publish ledger keeps the same record of what dual-export published, quarantined or
/// will retry: the in-memory twin, the SQLite file and the PostgreSQL journal's schema.
enum LedgerDriver: String, CaseIterable, CustomTestStringConvertible {
    case inMemory, sqlite, postgres

    var testDescription: String { rawValue }

    static var available: [LedgerDriver] { TestPostgres.url == nil ? [.inMemory, .sqlite] : allCases }

    func make() throws -> any PublishLedger {
        switch self {
        case .inMemory: InMemoryPublishLedger()
        case .sqlite:
            try SQLitePublishLedger(
                path: FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-ledger-\(UUID().uuidString).db").path)
        case .postgres: try PostgresPublishLedger(location: try TestPostgres.freshSchema())
        }
    }
}

@Suite("The publish ledger (every storage)")
struct PublishLedgerConformanceTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("published, checked, quarantined and retried files are recorded as they happened", arguments: LedgerDriver.available)
    func records(driver: LedgerDriver) async throws {
        let ledger = try driver.make()
        #expect(try await ledger.entry("b.zip") == nil)
        try await ledger.recordPublished("b.zip", sourceDigest: "db", sourceVersion: "v1", at: start)
        try await ledger.recordQuarantined("a.zip", sourceDigest: "da", reason: "bad signature", permanent: true, at: start)
        try await ledger.recordQuarantined("c.zip", sourceDigest: nil, reason: "503", permanent: false, at: start)
        try await ledger.recordQuarantined("c.zip", sourceDigest: nil, reason: "503 again", permanent: false, at: start)
        try await ledger.recordSourceChecked("b.zip", sourceVersion: "v2", at: start.addingTimeInterval(60))

        let entries = try await ledger.entries()
        #expect(entries.map(\.name) == ["a.zip", "b.zip", "c.zip"])
        let published = try #require(try await ledger.entry("b.zip"))
        #expect(published.status == .published && published.sourceDigest == "db" && published.sourceVersion == "v2")
        #expect(published.checkedAt.map { abs($0.timeIntervalSince(start.addingTimeInterval(60))) < 0.01 } == true)
        #expect(entries[0].status == .quarantined && entries[0].reason == "bad signature")
        #expect(entries[2].status == .retrying && entries[2].reason == "503 again" && entries[2].attempts == 2)
    }

    @Test("a PostgreSQL ledger copies an older run's SQLite ledger in once, then keeps its own", .enabled(if: TestPostgres.url != nil))
    func importsLegacy() async throws {
        let legacy = try LedgerDriver.sqlite.make()
        try await legacy.recordPublished("x.zip", sourceDigest: "dx", sourceVersion: "v1", at: start)
        try await legacy.recordQuarantined("y.zip", sourceDigest: "dy", reason: "bad", permanent: true, at: start)
        let location = try TestPostgres.freshSchema()
        let ledger = try PostgresPublishLedger(location: location, legacy: legacy)
        #expect(try await ledger.entries().map(\.name) == ["x.zip", "y.zip"])
        #expect(try await ledger.entry("x.zip")?.sourceVersion == "v1")
        try await ledger.recordPublished("z.zip", sourceDigest: "dz", sourceVersion: nil, at: start)
        // Opened again with the old file still there: nothing is copied twice or over newer rows.
        try await legacy.recordPublished("late.zip", sourceDigest: "dl", sourceVersion: nil, at: start)
        let again = try PostgresPublishLedger(location: location, legacy: legacy)
        #expect(try await again.entries().map(\.name) == ["x.zip", "y.zip", "z.zip"])
        #expect(try await PostgresPublishLedger(location: try TestPostgres.freshSchema(), readOnly: true).entries().isEmpty)
    }
}
