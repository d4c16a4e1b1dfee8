import Foundation
import Testing
@testable import MigrationEngine

@Suite("A record's detail is one JSON document: structure as JSON, never JSON inside a string")
struct JournalDetailTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-detail-\(UUID().uuidString)/journal.db").path
    let time = TestTime()

    @Test("check results and a loss's files are stored as lists of objects and text, and read back")
    func structured() async throws {
        let check = ScriptedCheck("import lag", .failed)
        let engine = Orchestrator(
            journal: try Journal.open(path: path), registry: WorkerRegistry(exitChecks: [.planned: [check]]),
            definition: RunDefinition(planHash: "sha256:plan", mode: .readOnly), environment: time.environment)
        #expect(try await engine.apply() == .blocked("import lag: import lag is 2 periods"))
        _ = try engine.acceptLoss(files: ["a.zip", "b.zip"], by: "ana", note: "gone")
        let records = try engine.journal.records()
        let checks = try #require(records.last { $0.kind == .checks })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(checks.detail.utf8)) as? [String: Any])
        let results = try #require(object["results"] as? [[String: Any]], "results is a list, not text: \(checks.detail)")
        #expect(results.first?["name"] as? String == "import lag" && results.first?["outcome"] as? String == "failed")
        #expect(CheckRecord.results(checks.detail) == [CheckResult(name: "import lag", outcome: .failed, reason: "import lag is 2 periods")])
        let loss = try #require(records.last { $0.kind == .lossAccepted })
        let lossObject = try #require(try JSONSerialization.jsonObject(with: Data(loss.detail.utf8)) as? [String: Any])
        #expect(lossObject["files"] as? [String] == ["a.zip", "b.zip"], "\(loss.detail)")
        #expect(Orchestrator.acceptedLosses(records).map(\.file) == ["a.zip", "b.zip"])
        #expect(CheckRecord.value(loss.detail, "by") == "ana")
        #expect(try engine.journal.firstBrokenRecord() == nil)
    }

    @Test("records an older enmigrate wrote, with the structure as JSON text, still read")
    func olderText() throws {
        let results = #"{"results":"[{\"name\":\"coverage\",\"outcome\":\"passed\",\"reason\":\"holds\"}]"}"#
        #expect(CheckRecord.results(results) == [CheckResult(name: "coverage", outcome: .passed, reason: "holds")])
        let files = #"{"by":"ana","files":"[\"a.zip\"]","note":"n"}"#
        let record = JournalRecord(
            sequence: 2, at: Date(), kind: .lossAccepted, phase: .importing, status: .waiting, stepDone: true, attempt: 0,
            detail: files, fence: 0, previousHash: "", hash: "")
        #expect(Orchestrator.acceptedLosses([record]).map(\.file) == ["a.zip"])
        #expect(CheckRecord.value(files, "note") == "n")
    }
}
