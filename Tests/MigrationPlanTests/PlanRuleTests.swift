import ExposureExport
import Foundation
import Testing
@testable import MigrationPlan

@Suite("Plan rules and the model")
struct PlanRuleTests {
    @Test("the issue's example plan (plans/read-only.yaml) validates unchanged once its key files exist")
    func examplePlanValidates() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("plans/read-only.yaml")
        let result = try PlanWorkspace().load(try String(contentsOf: example, encoding: .utf8))
        #expect(result.errors.isEmpty, "\(result.errors)")
        let plan = try #require(result.plan)
        #expect(plan.mode == .readOnly)
        #expect(plan.workers.retry.maxBackoff == .seconds(60))
        #expect(plan.national.export?.maxKeysPerFile == 17_000)
        #expect(result.diagnostics.map(\.code) == ["unused-section"])
        #expect(result.diagnostics.first?.severity == .note)
    }

    @Test("five different mistakes give five diagnostics in file order")
    func fiveMistakes() throws {
        var text = PlanWorkspace.base
        text = text.replacingOccurrences(of: "mode: read-only", with: "mode: readonly")
        text = text.replacingOccurrences(of: "    index: https://cdn.state.example/", with: "    index: cdn.state.example/")
        text = text.replacingOccurrences(of: "    period: 24h", with: "    period: 1d")
        text = text.replacingOccurrences(of: "  keyStore: sqlite:", with: "  keyStor: sqlite:")
        text = text.replacingOccurrences(of: "  concurrency: 4", with: "  concurrency: 0")
        let result = try PlanWorkspace().load(text)
        #expect(result.errors.count == 5, "\(result.errors)")
        #expect(result.errors.map(\.code) == ["bad-value", "bad-url", "bad-duration", "unknown-key", "wrong-type"])
        #expect(result.errors.map(\.line) == [3, 8, 14, 23, 28])
        #expect(result.errors.first { $0.code == "bad-value" }?.hint == "did you mean `read-only`?")
    }

    @Test("key file problems come with the structural errors, not only once those are fixed")
    func keyFilesWithStructuralErrors() throws {
        let workspace = try PlanWorkspace()
        let key = workspace.folder.appendingPathComponent("keys/state-to-national.key.pem").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        var text = PlanWorkspace.base
        text = text.replacingOccurrences(of: "  keyStore: sqlite:", with: "  keyStor: sqlite:")
        text = text.replacingOccurrences(of: "publicKey: keys/national.pub.pem", with: "publicKey: keys/nacional.pub.pem")
        let result = try workspace.load(text)
        #expect(result.plan == nil)
        #expect(result.errors.map(\.code) == ["key-file-permissions", "key-file-missing", "unknown-key"], "\(result.errors)")
        #expect(result.errors.map(\.line) == [15, 22, 23])
        #expect(result.errors.first?.path == "/state/secondFeed/key/privateKey")
        #expect(result.errors.dropFirst().first?.message.contains("nacional.pub.pem") == true)
    }

    @Test("a private key file readable by others is refused with the chmod fix")
    func privateKeyPermissions() throws {
        let workspace = try PlanWorkspace()
        let path = workspace.folder.appendingPathComponent("keys/state-to-national.key.pem").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let result = try workspace.load(PlanWorkspace.base)
        #expect(result.errors.map(\.code) == ["key-file-permissions"])
        #expect(result.errors.first?.hint == "chmod 600 \(path)")
        #expect([result.errors.first?.line, result.errors.first?.column] == [15, 50])
    }

    @Test("relative paths resolve against the plan's folder, not the current directory")
    func pathResolution() throws {
        let workspace = try PlanWorkspace()
        let text = PlanWorkspace.base.replacingOccurrences(of: "file:///srv/state/cdn/", with: "file:out/cdn/")
        let plan = try #require(try workspace.load(text).plan)
        let folder = workspace.folder.standardizedFileURL.path
        #expect(plan.journal == .sqlite(path: folder + "/state/journal.db"))
        #expect(plan.national.keyStore == .sqlite(path: folder + "/state/national-keys.db"))
        #expect(plan.state.clientFeed.key.publicKey == folder + "/keys/state-client.pub.pem")
        #expect(plan.state.clientMirror.location.path == folder + "/out/cdn")
        #expect(plan.state.secondFeed.location.path == "/srv/state/to-national")
        #expect(plan.reports == folder + "/.enmigrate/reports")
        #expect(plan.rotationRequest == folder + "/.enmigrate/rotation-request")
        let placed = "reports: out/reports/\nrotationRequest: /var/enmigrate/request\n" + PlanWorkspace.base
        let placedPlan = try #require(try workspace.load(placed).plan)
        #expect(placedPlan.reports == folder + "/out/reports")
        #expect(placedPlan.rotationRequest == "/var/enmigrate/request")
    }

    @Test("a missing version is a missing field, not version 1")
    func missingVersion() throws {
        let result = try PlanWorkspace().load(PlanWorkspace.base.replacingOccurrences(of: "version: 1\n", with: ""))
        #expect(result.errors.map(\.code) == ["missing-field"])
        #expect(result.errors.first?.path == "/version")
        #expect([result.errors.first?.line, result.errors.first?.column] == [1, 1])
    }

    @Test("a postgres store may name a user and port; only a password is refused")
    func postgresStores() throws {
        let workspace = try PlanWorkspace()
        let withUser = PlanWorkspace.base.replacingOccurrences(
            of: "keyStore: sqlite:state/national-keys.db", with: "keyStore: postgres://enmigrate@db.internal:5432/national")
        let plan = try #require(try workspace.load(withUser).plan)
        #expect(plan.national.keyStore == .postgres(url: "postgres://enmigrate@db.internal:5432/national"))
        for secret in ["postgres://enmigrate:hunter2@db.internal/national", "postgres://db.internal/national?password=hunter2"] {
            let text = PlanWorkspace.base.replacingOccurrences(of: "keyStore: sqlite:state/national-keys.db", with: "keyStore: \(secret)")
            let result = try workspace.load(text)
            #expect(result.errors.map(\.code) == ["secret-in-plan"], "\(secret)")
            #expect(!result.errors.description.contains("hunter2"), "the diagnostic must not echo the password")
        }
    }

    @Test("the plan hash ignores comments, layout and key order, and follows every value")
    func planHash() throws {
        let workspace = try PlanWorkspace()
        let original = try #require(try workspace.load(PlanWorkspace.base).planHash)
        let reformatted =
            "# a comment\n"
            + PlanWorkspace.base
            .replacingOccurrences(of: "workers:\n  interval: 5m\n  concurrency: 4\n", with: "workers:\n  concurrency: 4   # four\n  interval: 5m\n")
            .replacingOccurrences(
                of: "retry: { attempts: 5, backoff: 1s, maxBackoff: 60s }",
                with: "retry:\n    maxBackoff: 60s\n    attempts: 5\n    backoff: 1000ms")
        #expect(try workspace.load(reformatted).planHash == original)
        let changed = PlanWorkspace.base.replacingOccurrences(of: "interval: 5m", with: "interval: 6m")
        #expect(try workspace.load(changed).planHash != original)
    }

    @Test("the plan hash is the same for the plan in another folder (relative paths) and changes with a key file's key")
    func planHashRelativeAndKeys() throws {
        let workspace = try PlanWorkspace()
        let original = try #require(try workspace.load(PlanWorkspace.base).planHash)
        // The same folder copied elsewhere (a replica, a moved checkout): the same plan.
        let moved = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-moved-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: workspace.folder, to: moved)
        defer { try? FileManager.default.removeItem(at: moved) }
        #expect(PlanLoader.load(contentsOf: moved.appendingPathComponent("plan.yaml"), displayName: "plan.yaml").planHash == original)
        // Another key in the same file: another plan.
        try ExportSigningKey.generate().writeKeyPair(to: workspace.folder.appendingPathComponent("keys"), name: "national")
        #expect(try workspace.load(PlanWorkspace.base).planHash != original)
    }

    @Test("defaults fill what the plan leaves out")
    func defaults() throws {
        let text = PlanWorkspace.base.components(separatedBy: "workers:")[0]
            .replacingOccurrences(of: "journal: sqlite:state/journal.db\n", with: "")
        let workspace = try PlanWorkspace()
        let plan = try #require(try workspace.load(text).plan)
        #expect(plan.workers.interval == .seconds(300))
        #expect(plan.workers.retry.attempts == 5)
        #expect(plan.gates.keyRotation.approvalRequired)
        #expect(plan.gates.keyRotation.expiresAfter == .seconds(72 * 3600))
        #expect(plan.journal == .sqlite(path: workspace.folder.standardizedFileURL.path + "/.enmigrate/journal.db"))
    }

    @Test("plain http to loopback is allowed; to other hosts only with allowInsecureHTTP")
    func loopbackHTTP() throws {
        let workspace = try PlanWorkspace()
        let loopback = PlanWorkspace.base.replacingOccurrences(of: "https://cdn.state.example/", with: "http://127.0.0.1:8088/")
        #expect(try workspace.load(loopback).errors.isEmpty)
        let optedIn = "allowInsecureHTTP: true\n" + PlanWorkspace.base.replacingOccurrences(of: "https://cdn.state.example/", with: "http://cdn.state.example/")
        #expect(try workspace.load(optedIn).errors.isEmpty)
    }
}
