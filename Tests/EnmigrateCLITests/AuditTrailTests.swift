import Foundation
@testable import MigrationEngine
import Testing

@Suite("Who and why: every state-changing verb names its operator in the journal")
struct AuditTrailTests {
    private func journal(_ folder: URL) throws -> Journal {
        try Journal.open(path: folder.appendingPathComponent(".enmigrate/us-xx.db").path, create: false)
    }

    private func status(_ folder: URL) throws -> [String: Any] {
        let output = try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder)
        return try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    @Test("apply, resume and abort keep --by and --note on each record they write; status names who started and who acted last")
    func byAndNoteOnEveryRecord() throws {
        let folder = try PlanFolder.make()
        let started = try CommandRunner.run(
            ["apply", "plan.yaml", "--once", "--until", "importing", "--by", "alice", "--note", "CHG-7"], in: folder)
        #expect(started.status == 0, "\(started.stderr)")
        let first = try journal(folder).records()
        #expect(first.count > 2)
        for record in first {
            #expect(CheckRecord.value(record.detail, "by") == "alice", "\(record.kind): \(record.detail)")
            #expect(CheckRecord.value(record.detail, "note") == "CHG-7", "\(record.kind): \(record.detail)")
        }

        let resumed = try CommandRunner.run(["resume", "plan.yaml", "--by", "bob"], in: folder)
        #expect(resumed.status == 4, "\(resumed.stderr)")
        let second = try journal(folder).records().dropFirst(first.count)
        #expect(!second.isEmpty)
        for record in second {
            #expect(CheckRecord.value(record.detail, "by") == "bob", "\(record.kind): \(record.detail)")
            // A note is this invocation's: bob gave none, so none is carried over from alice's.
            #expect(CheckRecord.value(record.detail, "note") == nil, "\(record.kind): \(record.detail)")
        }
        var report = try status(folder)
        #expect(report["startedBy"] as? String == "alice")
        #expect(report["lastBy"] as? String == "bob")
        let text = try CommandRunner.run(["status", "plan.yaml"], in: folder).stdout
        #expect(text.contains("by alice"), "\(text)")
        #expect(text.contains("last by:  bob"), "\(text)")

        let aborted = try CommandRunner.run(["abort", "plan.yaml", "--by", "carol", "--note", "rollback drill"], in: folder)
        #expect(aborted.status == 0, "\(aborted.stderr)")
        report = try status(folder)
        #expect(report["lastBy"] as? String == "carol (rollback drill)")
    }

    @Test("without --by the records name user@host, so no record is anonymous")
    func defaultOperator() throws {
        let folder = try PlanFolder.make()
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once", "--until", "importing"], in: folder).status == 0)
        let owner = LockOwner.current
        for record in try journal(folder).records() {
            #expect(CheckRecord.value(record.detail, "by") == "\(owner.user)@\(owner.host)", "\(record.kind): \(record.detail)")
        }
    }
}
