import MigrationRehearsal
import Testing

@Suite("rehearsal fault spec")
struct RehearsalFaultsTests {
    @Test("every fault word parses, kills add up")
    func parses() throws {
        let faults = try RehearsalFaults.parse("kill=2, downloads,late-approval,kill")
        #expect(faults.kills == 3)
        #expect(faults.failingDownloads && faults.lateApproval && !faults.tamperedFile)
        #expect(try RehearsalFaults.parse("none").isEmpty)
        let all = try RehearsalFaults.parse("all")
        #expect(all.kills == 1 && all.failingDownloads && all.tamperedFile && all.lateApproval)
        #expect(all.unavailableFile && all.refusedKey && all.revocation && all.republishedFile)
        let proof = try RehearsalFaults.parse("unavailable,refused-key,revocation")
        #expect(proof.unavailableFile && proof.refusedKey && proof.revocation && proof.kills == 0)
    }

    @Test("an unknown word or a bad count is an error that names it and lists the faults")
    func rejects() {
        for spec in ["kil", "kill=0", "kill=x", "downloads,explode"] {
            #expect(throws: RehearsalError.self) { try RehearsalFaults.parse(spec) }
        }
        do {
            _ = try RehearsalFaults.parse("downloads,explode")
        } catch {
            #expect(error.description.contains("`explode`") && error.description.contains("late-approval"))
        }
    }
}
