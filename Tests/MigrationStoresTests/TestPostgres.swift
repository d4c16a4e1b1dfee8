import Foundation
import MigrationStores
import Testing

/// The throwaway PostgreSQL server of scripts/with-postgres, if this run has one. Each use
/// gets a schema of its own, so tests running in parallel never see each other's rows.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"]

    static func freshSchema() throws -> PostgresLocation {
        let base = try PostgresLocation(url: try #require(url))
        return try base.inSchema("t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())
    }
}

@Suite("PostgreSQL is tested in CI")
struct PostgresPresenceTests {
    @Test("CI runs the PostgreSQL drivers (scripts/test starts a throwaway server)")
    func presentInCI() {
        let ci = ProcessInfo.processInfo.environment["CI"] == "true"
        #expect(!ci || TestPostgres.url != nil, "CI=true but ENMIGRATE_TEST_POSTGRES is not set: run the tests through scripts/with-postgres")
    }
}
