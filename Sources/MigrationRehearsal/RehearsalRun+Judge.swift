import Foundation
import MigrationEngine
import MigrationStores

/// The judgement at the end: `status --json` and `verify --json` (the same coverage proof an
/// operator runs), and what happened to each injected file fault.
extension RehearsalRun {
    private struct StatusOutput: Decodable {
        let phase: String
        let status: String
        let failedFiles: [RunStatusReport.FileNeedingAttention]?
        let cutoverLatencyMs: Int64?
        let journalIntact: Bool?
    }

    private struct VerifyOutput: Decodable {
        struct Side: Decodable {
            let keys: Int
            let digest: String
        }

        struct Report: Decodable {
            let state: Side
            let national: Side
        }

        let compared: String
        let holds: Bool
        let report: Report
    }

    func judge(
        _ report: inout RehearsalReport, tampered: StateSimulation.PublishedFile?, failingFiles: [String],
        revoked: Data? = nil, republished: StateSimulation.PublishedFile? = nil, refusedKey: Data? = nil
    ) async throws {
        let child = ChildRun(executable: options.executable, folder: layout.folder)
        let statusLog = layout.logs.appendingPathComponent("status.log"), verifyLog = layout.logs.appendingPathComponent("verify.log")
        let statusRun = try await offPool { try child.run(["status", "plan.yaml", "--json", "--verify-journal"], log: statusLog, killAfter: nil) }
        let verifyRun = try await offPool { try child.run(["verify", "plan.yaml", "--json"], log: verifyLog, killAfter: nil) }
        let status = try JSONDecoder().decode(StatusOutput.self, from: Self.document(statusRun))
        let verify = try JSONDecoder().decode(VerifyOutput.self, from: Self.document(verifyRun))
        let swapped = verify.compared.contains("client index")
        let failed = (status.failedFiles ?? []).map(\.description).sorted()
        report.endState = .init(
            phase: status.phase, status: status.status, coverageHolds: verify.holds, compared: verify.compared,
            stateKeys: verify.report.state.keys, stateDigest: verify.report.state.digest,
            nationalKeys: verify.report.national.keys, nationalDigest: verify.report.national.digest,
            clientIndexSwapped: swapped, failedFiles: failed, journalIntact: status.journalIntact ?? false,
            cutoverLatencyMs: status.cutoverLatencyMs)
        try await describeFileFaults(&report, tampered: tampered, failingFiles: failingFiles, failed: failed)
        try await describeKeyFaults(&report, revoked: revoked, refusedKey: refusedKey, republished: republished)
        let endPhase =
            shape.mode == .full
            ? status.status == "succeeded"
            : (status.phase == "mirroring" && status.status == "steady")
        switch (endPhase, verify.holds, swapped) {
        case (true, true, true) where status.journalIntact != true:
            report.problem = "the journal's hash chain does not verify: see logs/status.log"
        case (true, true, true): report.succeeded = report.problem == nil
        case (false, _, _): report.problem = "the run ended in \(status.phase) (\(status.status)), not at the end of a \(shape.mode.rawValue) plan"
        case (_, false, _): report.problem = "the coverage proof does not hold: see logs/verify.log"
        case (_, _, false): report.problem = "the state's client index was not swapped to the national feed"
        }
    }

    private func describeFileFaults(
        _ report: inout RehearsalReport, tampered: StateSimulation.PublishedFile?,
        failingFiles: [String], failed: [String]
    ) async throws {
        let store = try SQLiteKeyStore(path: layout.nationalKeyStore.path)
        for index in report.faults.indices {
            switch report.faults[index].fault {
            case "tamper":
                guard let tampered else { continue }
                var arrived = 0
                for key in tampered.keys where try await store.key(key) != nil { arrived += 1 }
                let listed = failed.contains { $0.contains(tampered.name) }
                report.faults[index].recovery =
                    (listed ? "quarantined by dual-export and listed under failed files; " : "NOT listed under failed files; ")
                    + "\(arrived) of its \(tampered.keys.count) keys reached the national key store"
                    + (arrived == 0 ? " (none, as it must be: phones cannot verify it either, so the coverage proof does not count it)" : " (a defect)")
            case "downloads":
                let counts = failingFiles.map { "\($0): \(server.requestCount(for: "cdn/\($0)")) requests" }.joined(separator: ", ")
                let stillFailed = failingFiles.filter { name in failed.contains { $0.contains(name) } }
                report.faults[index].recovery =
                    stillFailed.isEmpty
                    ? "retried within the pass or on the next pass, every file re-signed and imported (\(counts))"
                    : "still failed at the end: \(stillFailed.joined(separator: ", ")) (\(counts))"
            case "late-approval":
                let waits = report.passes.filter { $0.exitCode == 4 && $0.command == "apply" }.count
                report.faults[index].recovery =
                    "the run waited at key-rotation for \(waits) passes, each catching up imports, the national export and staging; approved afterwards, cut-over latency \(report.endState?.cutoverLatencyMs.map { "\($0) ms" } ?? "unknown")"
            default: continue
            }
        }
    }

    /// What became of the revoked and the refused key in the national key store.
    private func describeKeyFaults(
        _ report: inout RehearsalReport, revoked: Data?, refusedKey: Data?,
        republished: StateSimulation.PublishedFile?
    ) async throws {
        let store = try SQLiteKeyStore(path: layout.nationalKeyStore.path)
        for index in report.faults.indices {
            switch report.faults[index].fault {
            case "revocation":
                guard let revoked else { continue }
                let revision = try await store.key(revoked)?.revision?.reportType
                report.faults[index].recovery =
                    revision == "negative"
                    ? "imported as a revision (negative) and published in the national feed as a revised key; the proof requires it"
                    : "NOT applied in the national key store (\(revision ?? "no revision")): a defect"
                if revision != "negative" { report.problem = report.problem ?? "the revocation did not reach the national key store" }
            case "republished":
                guard let republished else { continue }
                var arrived = 0
                for key in republished.keys where try await store.key(key) != nil { arrived += 1 }
                report.faults[index].recovery =
                    "\(arrived) of its \(republished.keys.count) keys are in the national key store"
                    + (arrived == republished.keys.count ? " (the new ones imported again by name)" : ": the republished keys did NOT arrive (a defect)")
                if arrived != republished.keys.count { report.problem = report.problem ?? "a republished file's new keys did not reach the national key store" }
            case "refused-key":
                guard let refusedKey else { continue }
                let stored = try await store.key(refusedKey) != nil
                report.faults[index].recovery +=
                    stored ? "; the RECURSIVE key IS in the national key store: a defect" : "; the key is not in the national key store, as it must be"
                if stored { report.problem = report.problem ?? "a refused key reached the national key store" }
            default: continue
            }
        }
    }

    /// The child's output as one JSON document (everything it printed).
    private static func document(_ result: ChildRun.Result) throws -> Data {
        let text = result.lines.map(\.message).joined(separator: "\n")
        guard let start = text.firstIndex(of: "{") else {
            throw RehearsalError.runFailed("expected JSON from the child, got: \(text.prefix(300))")
        }
        return Data(text[start...].utf8)
    }
}
