import Foundation
import Testing
@testable import MigrationPlan

@Suite("Which plan changes a running migration may adopt")
struct PlanDiffTests {
    private func changes(_ edit: (String) -> String) throws -> [PlanDiff.Change] {
        let workspace = try PlanWorkspace()
        let before = try #require(try workspace.load(PlanWorkspace.base).canonical)
        let after = try workspace.load(edit(PlanWorkspace.base))
        #expect(after.errors.isEmpty, "\(after.errors)")
        return PlanDiff.between(started: before, now: try #require(after.canonical)).changes
    }

    @Test("how the work is done is safe; what is migrated or where is not")
    func workersSafeRegionNot() throws {
        let found = try changes {
            $0.replacingOccurrences(of: "concurrency: 4", with: "concurrency: 8").replacingOccurrences(of: "region: US-XX", with: "region: US-YY")
        }
        #expect(found.map(\.path) == ["/state/region", "/workers/concurrency"])
        #expect(found.map(\.safe) == [false, true])
        let monitoring = try changes { $0 + "\nmonitoring: { address: \"0.0.0.0:9464\" }\n" }
        #expect(monitoring.map(\.path) == ["/monitoring/address"] && monitoring.allSatisfy { $0.safe }, "\(monitoring)")
    }

    @Test("a trust window may widen (earlier from, later or no thru) but never narrow")
    func trustWindow() throws {
        let window = "publicKey: keys/state-to-national.pub.pem, from: \"2026-01-01T00:00:00Z\", thru: \"2026-06-01T00:00:00Z\" }"
        let original = "publicKey: keys/state-to-national.pub.pem }"
        let workspace = try PlanWorkspace()
        let started = try #require(try workspace.load(PlanWorkspace.base.replacingOccurrences(of: original, with: window)).canonical)
        func diff(_ replacement: String) throws -> [PlanDiff.Change] {
            let now = try workspace.load(PlanWorkspace.base.replacingOccurrences(of: original, with: replacement))
            #expect(now.errors.isEmpty, "\(now.errors)")
            return PlanDiff.between(started: started, now: try #require(now.canonical)).changes
        }
        let wider = try diff("publicKey: keys/state-to-national.pub.pem, from: \"2025-12-01T00:00:00Z\", thru: \"2026-09-01T00:00:00Z\" }")
        #expect(wider.map(\.path) == ["/national/trustedStateKeys/0/from", "/national/trustedStateKeys/0/thru"])
        #expect(wider.allSatisfy { $0.safe }, "\(wider)")
        #expect(wider.first?.was == "2026-01-01T00:00:00Z" && wider.first?.now == "2025-12-01T00:00:00Z")
        let open = try diff("publicKey: keys/state-to-national.pub.pem, from: \"2026-01-01T00:00:00Z\" }")
        #expect(open.map(\.safe) == [true], "\(open)")
        let narrower = try diff("publicKey: keys/state-to-national.pub.pem, from: \"2026-02-01T00:00:00Z\", thru: \"2026-05-01T00:00:00Z\" }")
        #expect(narrower.map(\.safe) == [false, false], "\(narrower)")
        // A bound where there was none narrows; a bound removed widens.
        #expect(!PlanDiff.isSafe("/national/trustedStateKeys/0/from", was: nil, now: "2026-01-01T00:00:00Z"))
        let removed = try diff(original)
        #expect(removed.allSatisfy { $0.safe }, "\(removed)")
    }

    @Test("a PostgreSQL endpoint may move host or port, not user, database or schema")
    func databaseEndpoint() {
        let base = "postgres://enmigrate@db-1.internal:5432/keys?schema=national"
        #expect(PlanDiff.isSafe("/national/keyStore", was: base, now: "postgres://enmigrate@db-2.internal:6432/keys?schema=national"))
        #expect(PlanDiff.isSafe("/journal", was: base, now: "postgresql://enmigrate@10.0.0.9/keys?schema=national"))
        #expect(!PlanDiff.isSafe("/national/keyStore", was: base, now: "postgres://admin@db-2.internal/keys?schema=national"))
        #expect(!PlanDiff.isSafe("/national/keyStore", was: base, now: "postgres://enmigrate@db-2.internal/other?schema=national"))
        #expect(!PlanDiff.isSafe("/national/keyStore", was: base, now: "postgres://enmigrate@db-2.internal/keys?schema=staging"))
        #expect(!PlanDiff.isSafe("/national/keyStore", was: "sqlite:/srv/a.db", now: "sqlite:/srv/b.db"))
        #expect(!PlanDiff.isSafe("/state/clientMirror/location", was: base, now: base + "x"))
    }
}
