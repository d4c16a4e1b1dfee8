import Foundation
import MigrationEngine
import Synchronization
import MigrationWorkers
import Testing
@testable import EnmigrateCLI

/// `apply --metrics-address`: Prometheus metrics and the probes a Deployment points at.
@Suite("Metrics and health of a long-running apply")
struct MonitoringTests {
    /// GET `url` with python's urllib: (status, body).
    func get(_ url: String) throws -> (status: Int, body: String) {
        let script = """
            import sys, urllib.request, urllib.error
            try:
                r = urllib.request.urlopen(sys.argv[1], timeout=5); print(r.status); print(r.read().decode())
            except urllib.error.HTTPError as e:
                print(e.code); print(e.read().decode())
            """
        let result = try CommandRunner.shell("python3 -c '\(script)' '\(url)'")
        let lines = result.output.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return (Int(lines.first ?? "") ?? -1, lines.count > 1 ? String(lines[1]) : "")
    }

    @Test("the plan's monitoring.address serves metrics without the flag; the flag wins over it")
    func addressFromPlan() throws {
        let folder = try PlanFolder.make()
        let url = folder.appendingPathComponent("plan.yaml")
        try (try String(contentsOf: url, encoding: .utf8) + "\nmonitoring:\n  address: \"127.0.0.1:0\"\n").write(to: url, atomically: true, encoding: .utf8)
        let fromPlan = try CommandRunner.run(["apply", "plan.yaml", "--once", "--until", "dual-export"], in: folder)
        #expect(fromPlan.status == 0, "\(fromPlan.stderr)")
        #expect(fromPlan.stdout.contains("monitoring: http://127.0.0.1:"), "\(fromPlan.stdout)")
        let flag = try CommandRunner.run(["apply", "plan.yaml", "--once", "--until", "importing", "--metrics-address", "localhost:0"], in: folder)
        #expect(flag.stdout.contains("monitoring: http://localhost:"), "\(flag.stdout)\n\(flag.stderr)")
        try (try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "127.0.0.1:0", with: "9464")).write(
            to: url, atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["validate", "plan.yaml"], in: folder)
        #expect(bad.status == 1 && (bad.stdout + bad.stderr).contains("error[bad-value]: `address` must be HOST:PORT, found `9464`"), "\(bad.stderr)")
    }

    @Test(
        "while apply waits at the gate: the phase, the wait, the checks, the lease and worker passes as metrics; both probes answer 200; SIGTERM ends it with 0"
    )
    func servedWhileWaiting() async throws {
        let folder = try PlanFolder.make()
        let result = try await offPool { () throws -> (metrics: String, health: Int, ready: Int, statusJSON: String, status: Int32, output: String) in
            let process = Process()
            process.executableURL = CommandRunner.binary
            process.arguments = ["apply", "plan.yaml", "--metrics-address", "127.0.0.1:0"]
            process.currentDirectoryURL = folder
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            var text = ""
            while !text.contains("waiting for approval") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            let port = text.components(separatedBy: "monitoring: http://127.0.0.1:").dropFirst().first?.prefix { $0.isNumber } ?? ""
            let base = "http://127.0.0.1:\(port)"
            let metrics = try get(base + "/metrics").body
            let health = try get(base + "/healthz").status
            let ready = try get(base + "/readyz").status
            let status = try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder).stdout
            kill(process.processIdentifier, SIGTERM)
            text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (metrics, health, ready, status, process.terminationStatus, text)
        }
        #expect(result.metrics.contains(#"enmigrate_phase{phase="key-rotation"} 1"#), "\(result.metrics)\n\(result.output)")
        #expect(result.metrics.contains(#"enmigrate_phase{phase="importing"} 0"#))
        #expect(result.metrics.contains(#"enmigrate_outcome{outcome="waiting"} 1"#))
        #expect(result.metrics.contains(#"enmigrate_check{check="coverage",outcome="passed"} 1"#) && result.metrics.contains("enmigrate_coverage_holds 1"))
        #expect(result.metrics.contains("enmigrate_gate_waiting_seconds "))
        #expect(result.metrics.contains(#"enmigrate_worker_last_success_timestamp_seconds{worker="export-importer"}"#))
        let expiry =
            result.metrics.split(separator: "\n").first { $0.hasPrefix("enmigrate_lease_expiry_timestamp_seconds ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(expiry > Date().timeIntervalSince1970 - 60, "the lease this process holds")
        #expect(result.health == 200 && result.ready == 200)
        // status --json names the lease's expiry and since when the run waits.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.statusJSON.utf8)) as? [String: Any])
        #expect(report["leaseExpiresAt"] != nil && report["waitingSince"] != nil, "\(result.statusJSON)")
        // Every metric the example alert rules use is one apply serves.
        let alerts = try String(contentsOf: CLIDocsTests.root.appendingPathComponent("deploy/alerts.yaml"), encoding: .utf8)
        let used = Set(alerts.matches(of: /enmigrate_[a-z_]+/).map { String($0.output) })
        let served = Set(
            result.metrics.split(separator: "\n").compactMap { line in
                line.hasPrefix("#") ? nil : line.prefix { $0 != "{" && $0 != " " }.description
            })
        #expect(!used.isEmpty && used.isSubset(of: served), "deploy/alerts.yaml uses metrics apply does not serve: \(used.subtracting(served))")
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("the probes can fail: no activity past the limit is not healthy; a failed or blocked pass is not ready")
    func probesFail() {
        let clock = Clock()
        let metrics = RunMetrics(now: { clock.now })
        #expect(metrics.readiness().ok == false, "not ready before the first pass")
        metrics.passEnded(.waitingForApproval(.keyRotation), report: nil)
        #expect(metrics.readiness().ok && metrics.health(stalledAfter: 600).ok)
        clock.advance(601)
        #expect(metrics.health(stalledAfter: 600).ok == false)
        metrics.passEnded(.failed("dual-export: the client feed is unreachable"), report: nil)
        #expect(metrics.health(stalledAfter: 600).ok && metrics.readiness().ok == false)
        metrics.passEnded(.blocked("coverage: 3 keys missing"), report: nil)
        #expect(metrics.readiness().text.contains("coverage: 3 keys missing"))
    }

    @Test("import lag: the oldest file still to import dates the lag; nothing waiting is 0, and a file done is forgotten")
    func importLag() throws {
        let clock = Clock()
        let metrics = RunMetrics(now: { clock.now })
        let waiting = PendingSince()
        func pass(_ pending: [String]) {
            metrics.observe(.backlog(worker: "export-importer", pending: pending.count, oldestSince: waiting.update(pending: pending, now: clock.now)))
        }
        func value(_ name: String) -> Double? {
            let text = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
            return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }
        #expect(value("enmigrate_import_lag_seconds") == 0 && value("enmigrate_import_pending_files") == 0, "served from the start")
        pass(["a.zip"])
        clock.advance(300)
        pass(["a.zip", "b.zip"])
        #expect(value("enmigrate_import_pending_files") == 2)
        #expect(value("enmigrate_import_lag_seconds") == 300, "a.zip has waited since the first pass")
        clock.advance(300)
        pass(["b.zip"])
        #expect(value("enmigrate_import_lag_seconds") == 300, "a.zip is done: b.zip, seen 300 s ago, is the oldest")
        pass([])
        #expect(value("enmigrate_import_lag_seconds") == 0 && value("enmigrate_import_oldest_pending_timestamp_seconds") == 0)
    }
}

/// A clock a test moves by hand.
private final class Clock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
