import Foundation
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
        #expect(try RehearsalFaults.parse("restart,restart=2,kill=1").restarts == 3)
        #expect(try RehearsalFaults.parse("all").restarts == 0, "all needs no server to restart")
    }

    @Test("an unknown word or a bad count is an error that names it and lists the faults")
    func rejects() {
        for spec in ["kil", "kill=0", "kill=x", "downloads,explode", "restart=0", "restart=51"] {
            #expect(throws: RehearsalError.self) { try RehearsalFaults.parse(spec) }
        }
        do {
            _ = try RehearsalFaults.parse("downloads,explode")
        } catch {
            #expect(error.description.contains("`explode`") && error.description.contains("late-approval"))
        }
    }

    @Test("restarts and replicas without a PostgreSQL journal are refused before anything runs, saying what they need")
    func restartNeedsPostgres() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("rehearsal-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("plans/demo.yaml")
        var restarting = Rehearsal.Options(folder: folder, executable: URL(fileURLWithPath: "/bin/false"))
        restarting.faults = try RehearsalFaults.parse("restart")
        var replicas = Rehearsal.Options(folder: folder, executable: URL(fileURLWithPath: "/bin/false"))
        replicas.replicas = 2
        for (options, needs) in [(restarting, "--restart-command"), (replicas, "PostgreSQL journal")] {
            do {
                _ = try await Rehearsal(plan: plan, options: options) { _ in }.run()
                Issue.record("a rehearsal ran without what \(needs) names")
            } catch let error as RehearsalError {
                #expect(error.description.contains(needs), "\(error)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path), "nothing was created")
    }
}
