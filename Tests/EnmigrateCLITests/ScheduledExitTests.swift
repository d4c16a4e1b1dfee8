import Foundation
import Testing

/// `apply --once --scheduled`: what a scheduler must not count as a failure exits 0.
@Suite("apply --scheduled: exit codes a scheduler understands")
struct ScheduledExitTests {
    @Test("waiting at a gate exits 4, or 0 under --scheduled with a line saying why")
    func waiting() async throws {
        let folder = try PlanFolder.make()
        let plain = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(plain.status == 4)
        let scheduled = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--scheduled"], in: folder) }
        #expect(scheduled.status == 0 && scheduled.stdout.contains("scheduled: waiting at gate key-rotation is normal progress"), "\(scheduled.stdout)")
        let json = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--scheduled", "--json"], in: folder) }
        #expect(json.status == 0 && json.stdout.contains(#""type":"note""#), "\(json.stdout)")
    }

    @Test("checks pending on work still to come exit 3, or 0 under --scheduled; a check that fails on data exits 3 either way")
    func pendingWork() async throws {
        let folder = try PlanFolder.make()
        let planURL = folder.appendingPathComponent("plan.yaml")
        // An external second feed the state has not published yet: its checks are pending.
        try String(contentsOf: planURL, encoding: .utf8)
            .replacingOccurrences(of: "source: clientFeed ", with: "source: external ")
            .replacingOccurrences(of: "privateKey: keys/state-to-national.key.pem", with: "publicKey: keys/state-to-national.pub.pem")
            .write(to: planURL, atomically: true, encoding: .utf8)
        let plain = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(plain.status == 3, "\(plain.stdout)\n\(plain.stderr)")
        let scheduled = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--scheduled"], in: folder) }
        #expect(scheduled.status == 0 && scheduled.stdout.contains("scheduled: only checks pending on work still to come"), "\(scheduled.stdout)")
        // The second feed appears with a file signed by a key the national side does not trust:
        // that check fails on data that exists, which needs a person.
        try PlanFolder.writeFeed(in: folder, cdn: "srv/state/to-national", keyName: "state-client", keyVersion: "v1", files: 1, keysPerFile: 5)
        let failing = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once", "--scheduled"], in: folder) }
        #expect(failing.status == 3, "\(failing.stdout)\n\(failing.stderr)")
    }
}
