import Foundation
import Testing

/// `enmigrate rehearse` end to end: the built binary rehearses a plan, driving its own `apply`
/// and `approve` as child processes, with and without injected faults.
@Suite("rehearse: the operator's plan on a simulation shaped like it, with faults")
struct RehearseTests {
    struct Report: Decodable {
        struct Fault: Decodable {
            let fault: String
            let injected: String
            let recovery: String
        }

        struct EndState: Decodable, Equatable {
            let phase: String
            let status: String
            let coverageHolds: Bool
            let stateKeys: Int
            let nationalKeys: Int
            let nationalDigest: String
            let clientIndexSwapped: Bool
            let failedFiles: [String]
        }

        let succeeded: Bool
        let keysPublished: Int
        let faults: [Fault]
        let endState: EndState
    }

    func rehearse(_ plan: URL, _ arguments: [String]) async throws -> (status: Int32, report: Report?, output: CommandRunner.Output) {
        let output = try await offPool {
            try CommandRunner.run(["rehearse", plan.appendingPathComponent("plan.yaml").path, "--days", "3", "--keys-per-day", "120", "--json"] + arguments)
        }
        return (output.status, try? JSONDecoder().decode(Report.self, from: Data(output.stdout.utf8)), output)
    }

    /// Every file under `folder` with its size and modification time.
    func snapshot(_ folder: URL) -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey])
        while let url = enumerator?.nextObject() as? URL {
            let values = try? url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey])
            files[url.path] = "\(values?.fileSize ?? -1) \(values?.contentModificationDate?.timeIntervalSince1970 ?? 0)"
        }
        return files
    }

    @Test("a full plan rehearsed with kills, failing downloads and a late approval ends exactly like one without faults")
    func faultsChangeNothing() async throws {
        let folder = try PlanFolder.make(mode: "full")
        let before = snapshot(folder)
        let clean = try await rehearse(folder, ["--seed", "11", "--folder", folder.appendingPathComponent("clean").path])
        let faulty = try await rehearse(
            folder,
            [
                "--seed", "11", "--folder", folder.appendingPathComponent("faulty").path,
                "--faults", "kill=2,downloads,late-approval",
            ])
        #expect(clean.status == 0, "\(clean.output.stdout)\n\(clean.output.stderr)")
        #expect(faulty.status == 0, "\(faulty.output.stdout)\n\(faulty.output.stderr)")
        let cleanReport = try #require(clean.report), faultyReport = try #require(faulty.report)
        #expect(cleanReport.succeeded && faultyReport.succeeded)
        #expect(cleanReport.faults.isEmpty)
        #expect(faultyReport.faults.map(\.fault).sorted() == ["downloads", "kill", "kill", "late-approval"])
        #expect(faultyReport.faults.allSatisfy { !$0.recovery.isEmpty })
        #expect(faultyReport.faults.filter { $0.fault == "kill" }.allSatisfy { $0.injected.hasPrefix("SIGKILL") })
        // The same end: the same national key set, read from the state's client index with the national key.
        #expect(cleanReport.endState == faultyReport.endState)
        #expect(cleanReport.endState.status == "succeeded" && cleanReport.endState.clientIndexSwapped)
        #expect(cleanReport.endState.nationalKeys == cleanReport.keysPublished && cleanReport.endState.coverageHolds)
        // Nothing outside the rehearsal folders was written.
        let after = snapshot(folder).filter { !$0.key.contains("/clean") && !$0.key.contains("/faulty") }
        #expect(after == before)
    }

    @Test("a tampered state file is quarantined and named, none of its keys reach the national key store, coverage still holds")
    func tamperedFile() async throws {
        let folder = try PlanFolder.make()
        let run = try await rehearse(folder, ["--seed", "5", "--folder", folder.appendingPathComponent("rehearsal").path, "--faults", "tamper"])
        #expect(run.status == 0, "\(run.output.stdout)\n\(run.output.stderr)")
        let report = try #require(run.report)
        let tamper = try #require(report.faults.first { $0.fault == "tamper" })
        #expect(tamper.recovery.contains("quarantined by dual-export") && tamper.recovery.contains("0 of its"))
        let name = try #require(tamper.injected.split(separator: " ").first.map(String.init))
        #expect(report.endState.failedFiles.count == 1 && report.endState.failedFiles[0].contains(name))
        #expect(report.endState.phase == "mirroring" && report.endState.status == "steady" && report.endState.coverageHolds)
        // Two files a day of 120 keys: the tampered file held 60 keys phones cannot verify either.
        #expect(report.endState.nationalKeys == report.keysPublished - 60)
    }

    @Test(
        "the proof's fault classes: an unavailable file blocks the run until served, a refused key until its loss is accepted, a revocation reaches the national feed"
    )
    func proofFaults() async throws {
        let folder = try PlanFolder.make()
        let run = try await rehearse(
            folder,
            [
                "--seed", "3", "--days", "3", "--keys-per-day", "100",
                "--folder", folder.appendingPathComponent("rehearsal").path, "--faults", "unavailable,refused-key,revocation,republished",
            ])
        #expect(run.status == 0, "\(run.output.stdout)\n\(run.output.stderr)")
        let report = try #require(run.report)
        let byFault = Dictionary(report.faults.map { ($0.fault, $0.recovery) }, uniquingKeysWith: { first, _ in first })
        #expect(byFault["unavailable"]?.contains("blocked (exit 3) naming it") == true, "\(report.faults)")
        #expect(byFault["refused-key"]?.contains("`accept-loss` recorded the decision") == true)
        #expect(byFault["refused-key"]?.contains("the key is not in the national key store") == true)
        #expect(byFault["revocation"]?.contains("published in the national feed as a revised key") == true)
        #expect(byFault["republished"]?.contains("(the new ones imported again by name)") == true, "\(report.faults)")
        // Every published key reached phones but the one refused by rule (and accepted as lost).
        #expect(report.endState.coverageHolds && report.endState.clientIndexSwapped)
        #expect(report.endState.nationalKeys == report.keysPublished - 1, "the 3 keys of the republished file included")
    }

    @Test("a bad fault spec or a folder that is not a rehearsal's is refused, naming the fix")
    func refusals() async throws {
        let folder = try PlanFolder.make()
        let spec = try await rehearse(folder, ["--faults", "explode", "--folder", folder.appendingPathComponent("r").path])
        #expect(spec.status == 1 && spec.output.stderr.contains("unknown fault `explode`"))
        let keys = folder.appendingPathComponent("keys").path
        let taken = try await rehearse(folder, ["--folder", keys])
        #expect(taken.status == 1 && taken.output.stderr.contains("is not a rehearsal folder"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("keys/national.key.pem").path))
    }
}

/// The rehearsal takes the plan's shape, whatever its second-feed source and trust windows.
@Suite("rehearse: plans of every shape")
struct RehearseShapeTests {
    func rehearse(_ folder: URL, edit: (String) -> String) async throws -> (CommandRunner.Output, [String: Any]?) {
        let plan = folder.appendingPathComponent("plan.yaml")
        try edit(try String(contentsOf: plan, encoding: .utf8)).write(to: plan, atomically: true, encoding: .utf8)
        let output = try await offPool {
            try CommandRunner.run([
                "rehearse", plan.path, "--days", "3", "--keys-per-day", "80", "--seed", "4", "--json",
                "--folder", folder.appendingPathComponent("rehearsal").path,
            ])
        }
        return (output, try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    @Test(
        "second feed from the state's key store, or written by the state itself: both rehearse to the end",
        arguments: ["keyStore", "external"])
    func sources(source: String) async throws {
        let folder = try PlanFolder.make()
        let (output, report) = try await rehearse(folder) { text in
            var plan = text.replacingOccurrences(of: "source: clientFeed ", with: "source: \(source) ")
            if source == "keyStore" {
                plan = plan.replacingOccurrences(of: "  clientMirror:", with: "  keyStore: sqlite:state-keys.db\n  clientMirror:")
            } else {
                plan = plan.replacingOccurrences(
                    of: #"version: "v2", privateKey: keys/state-to-national.key.pem"#,
                    with: #"version: "v2", publicKey: keys/state-to-national.pub.pem"#)
            }
            return plan
        }
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let end = report?["endState"] as? [String: Any]
        #expect(end?["coverageHolds"] as? Bool == true && end?["nationalKeys"] as? Int == 240, "\(output.stdout)")
    }

    @Test("a trust window that opens later is moved to open now and said so; one already closed blocks the rehearsal")
    func trustWindows() async throws {
        let tomorrow = Date().addingTimeInterval(86_400).formatted(.iso8601)
        let later = try PlanFolder.make()
        let (moved, movedReport) = try await rehearse(later) { text in
            text.replacingOccurrences(
                of: "publicKey: keys/state-to-national.pub.pem }",
                with: "publicKey: keys/state-to-national.pub.pem, from: \"\(tomorrow)\" }")
        }
        #expect(moved.status == 0, "\(moved.stdout)\n\(moved.stderr)")
        #expect((movedReport?["adjustments"] as? [String])?.contains { $0.contains("the trust window of 310.v2 opens") } == true)

        let closed = try PlanFolder.make()
        let (blocked, _) = try await rehearse(closed) { text in
            text.replacingOccurrences(
                of: "publicKey: keys/state-to-national.pub.pem }",
                with: #"publicKey: keys/state-to-national.pub.pem, from: "2020-01-01T00:00:00Z", thru: "2020-02-01T00:00:00Z" }"#)
        }
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("trusted only 2020-01-01"), "\(blocked.stderr)")
    }
}
