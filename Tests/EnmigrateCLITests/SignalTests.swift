import Foundation
import Testing

/// A stop under systemd or Kubernetes (SIGTERM), Ctrl-C (SIGINT) or a hang-up (SIGHUP) is a
/// clean stop: exit 0, the run intact and resumable.
@Suite("Stop signals end apply cleanly")
struct SignalTests {
    @Test("SIGTERM, SIGINT and SIGHUP while apply waits at a gate: exit 0, and the next apply carries on", arguments: [SIGTERM, SIGINT, SIGHUP])
    func whileWaiting(signal: Int32) async throws {
        let folder = try PlanFolder.make()
        let ended = try await offPool {
            try CommandRunner.runAndSignal(["apply", "plan.yaml"], in: folder, signal: signal) { $0.contains("waiting for approval") }
        }
        #expect(ended.signalled && ended.status == 0, "\(ended.output)")
        #expect(ended.output.contains("stopped by SIG"), "\(ended.output)")
        let again = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(again.status == 4, "\(again.stdout)\n\(again.stderr)")
    }

    @Test("SIGTERM in the middle of a step: exit 0; the step runs again on the next apply and the run ends as without the stop")
    func midStep() async throws {
        let folder = try PlanFolder.make(clientFiles: 12, keysPerFile: 400)
        let ended = try await offPool {
            try CommandRunner.runAndSignal(["apply", "plan.yaml", "--once"], in: folder, signal: SIGTERM) { $0.contains("dual-export: 1/") }
        }
        #expect(ended.signalled && ended.status == 0, "\(ended.output)")
        let again = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        #expect(again.status == 4 && again.stdout.contains("check coverage: passed"), "\(again.stdout)\n\(again.stderr)")
    }

    @Test("a long-running apply writing into a pipe: each steady pass reaches the reader as it happens, not at exit")
    func steadyPassesReachAPipe() async throws {
        let folder = try PlanFolder.make()
        let planURL = folder.appendingPathComponent("plan.yaml")
        try String(contentsOf: planURL, encoding: .utf8).replacingOccurrences(of: "interval: 5m", with: "interval: 1s")
            .write(to: planURL, atomically: true, encoding: .utf8)
        _ = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        let approved = try await offPool { try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "a"], in: folder) }
        #expect(approved.status == 0, "\(approved.stdout)\n\(approved.stderr)")
        // Signalled only once three steady passes were read from the pipe while it runs.
        let ended = try await offPool {
            try CommandRunner.runAndSignal(["apply", "plan.yaml"], in: folder, signal: SIGTERM) { $0.components(separatedBy: "steady:").count > 3 }
        }
        #expect(ended.signalled && ended.status == 0, "\(ended.output)")
    }
}
