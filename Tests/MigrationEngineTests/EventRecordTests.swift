import Foundation
import Testing

@testable import MigrationEngine

@Suite("Events as typed, versioned records: the JSON contract of --json and hooks")
struct EventRecordTests {
    static let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas/event.schema.json")

    /// One event of every kind the engine emits.
    static let everyKind: [MigrationEvent] = [
        .lockTakenOver(from: "ops@host-a pid 12"),
        .recovered(phase: .importing, worker: "export-importer", alreadyDone: false),
        .phaseEntered(.importing),
        .stepStarted(phase: .dualExport, worker: "dual-export", attempt: 1),
        .stepRetrying(phase: .importing, worker: "export-importer", attempt: 2, reason: "503", waitMilliseconds: 400),
        .stepSucceeded(phase: .importing, worker: "national-export"),
        .stepFailed(phase: .keyRotation, worker: "cut-over", reason: "coverage"),
        .progress(worker: "export-importer", done: 3, total: 10, keys: 4_200, detail: "4200 keys imported"),
        .fileProblem(worker: "dual-export", file: "a.zip", reason: "bad signature", permanent: true),
        .summary(worker: "mirror", text: "nothing new"),
        .backlog(worker: "export-importer", pending: 2, oldestSince: Date(timeIntervalSince1970: 1_800_000_000)),
        .fileWarning(worker: "export-importer", file: "b.zip", warning: "ends in the future"),
        .check(CheckResult(name: "coverage", outcome: .passed, reason: "")),
        .waitingForApproval(.keyRotation),
        .approvalUsed(.keyRotation, by: "ana"),
        .blocked("coverage does not hold"),
        .steady, .finished, .aborted,
    ]

    func schema() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemaURL)) as? [String: Any])
    }

    @Test("the schema names every field the record encodes, every type and every phase; nothing else")
    func schemaMatchesRecord() throws {
        let schema = try schema()
        let properties = try #require(schema["properties"] as? [String: [String: Any]])
        var encoded = Set<String>()
        var record = EventRecord(type: "outcome", level: .info, message: "x", at: Date())
        (record.outcome, record.exitCode, record.command, record.reminder) = ("steady", 0, "enmigrate", false)
        (record.hook, record.migration) = ("gate-waiting", "demo")
        for event in Self.everyKind.map({ EventRecord($0, at: Date()) }) + [record] {
            let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(event)) as? [String: Any])
            encoded.formUnion(object.keys)
        }
        #expect(
            encoded == Set(properties.keys), "schema only: \(Set(properties.keys).subtracting(encoded)); record only: \(encoded.subtracting(properties.keys))")
        let types = Set(try #require(properties["type"]?["enum"] as? [String]))
        #expect(types == Set(Self.everyKind.map(\.typeName) + ["outcome", "note", "approved"]))
        #expect(Set(try #require(properties["phase"]?["enum"] as? [String])) == Set(MigrationPhase.allCases.map(\.rawValue)))
        #expect(Set(try #require(properties["gate"]?["enum"] as? [String])) == Set(Gate.allCases.map(\.rawValue)))
        #expect((properties["schema"]?["const"] as? String) == EventRecord.currentSchema)
    }

    @Test("fields carry what the prose said: phase, worker, counts, file, gate, check; the timestamp is RFC 3339 UTC with milliseconds")
    func fields() throws {
        let at = Date(timeIntervalSince1970: 1_764_770_400.125)
        let progress = EventRecord(.progress(worker: "export-importer", done: 3, total: 10, keys: 4_200, detail: "d"), at: at)
        #expect(progress.timestamp == "2025-12-03T14:00:00.125Z")
        #expect(progress.worker == "export-importer" && progress.done == 3 && progress.total == 10 && progress.keys == 4_200 && progress.unit == "files")
        #expect(progress.message == "export-importer: 3/10 files, d", "no leading spaces in JSON")
        let problem = EventRecord(.fileProblem(worker: "dual-export", file: "a.zip", reason: "r", permanent: true), at: at)
        #expect(problem.file == "a.zip" && problem.permanent == true && problem.level == .error)
        #expect(EventRecord(.stepRetrying(phase: .importing, worker: "w", attempt: 2, reason: "r", waitMilliseconds: 5), at: at).level == .warning)
        #expect(EventRecord(.approvalUsed(.appUpdate, by: "ana"), at: at).gate == "app-update")
        let back = try JSONDecoder().decode(EventRecord.self, from: JSONEncoder().encode(progress))
        #expect(back == progress)
    }
}
