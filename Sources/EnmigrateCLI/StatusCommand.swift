import ArgumentParser
import Foundation
import MigrationEngine
import MigrationStores
import MigrationWorkers

/// `enmigrate status PLAN [--json] [--verify-journal]`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the run's phase, timeline, checks, approvals and the next legal commands.",
        discussion: "Reads the journal only (no lock). Exit 0 whenever the journal can be read; with --verify-journal, 7 when its hash chain is broken."
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Flag(help: "Print one JSON document.")
    var json = false

    @Flag(name: .customLong("verify-journal"), help: "Also check the journal's hash chain.")
    var verifyJournal = false

    @Option(help: ArgumentHelp("Also write a single-file HTML page (phase diagram, timeline, checks, latency).", valueName: "FILE"))
    var html: String?

    /// "until T", or "EXPIRED at T" with what to do, for an approval's expiry.
    static func validity(_ expires: Date?, now: Date = Date()) -> String {
        guard let expires else { return "until ?" }
        if expires > now { return "until \(expires.formatted(.iso8601))" }
        return "EXPIRED at \(expires.formatted(.iso8601)): approve again (enmigrate approve PLAN --gate GATE --by NAME)"
    }

    func run() async throws {
        try await EngineErrors.run(json: json) {
            let context = try EngineContext.load(plan)
            guard let journal = try context.journal.openIfStarted() else {
                if json {
                    try printJSON(NotStarted(next: ["enmigrate apply \(plan)"]))
                } else {
                    print("not started: no journal at \(context.journal.description)\nnext: enmigrate apply \(plan)")
                }
                return
            }
            guard let full = try await StatusPageWriter.fullReport(context: context, journal: journal, planPath: plan, verifyChain: verifyJournal)
            else {
                print("not started")
                return
            }
            let report = full.report
            if let html { try StatusPageWriter.write(full, context: context, to: URL(fileURLWithPath: html)) }
            if json {
                try printJSON(report)
            } else {
                print(Self.text(report))
            }
            if report.journalIntact == false {
                if let broken = try journal.firstBrokenRecord() { printError("error: \(JournalError.tampered(sequence: broken))") }
                throw EnmigrateExit.needsRepair
            }
        }
    }

    static func text(_ report: RunStatusReport) -> String {
        var lines = ["phase:    \(report.phase)", "status:   \(report.status)", "plan:     \(report.planHash)"]
        if let by = report.startedBy { lines.append("started:  \(report.startedAt.formatted(.iso8601)) by \(by)") }
        if let by = report.lastBy, by != report.startedBy { lines.append("last by:  \(by)") }
        for adoption in report.adoptions {
            lines.append(
                "adopted:  \(adoption.planHash) at \(adoption.at.formatted(.iso8601))" + (adoption.by.map { " by \($0)" } ?? "")
                    + (adoption.note.map { " (\($0))" } ?? ""))
            lines += adoption.changes.map { "  \($0)" }
        }
        lines.append("timeline:")
        // One column for the names, as wide as the longest phase (never cut short).
        let width = MigrationPhase.allCases.map(\.rawValue.count).max() ?? 0
        for span in report.timeline {
            lines.append(
                "  \(span.phase.padding(toLength: max(width, span.phase.count), withPad: " ", startingAt: 0)) \(span.enteredAt.formatted(.iso8601))"
                    + (span.leftAt.map { " → \($0.formatted(.iso8601))" } ?? " (current)"))
        }
        if !report.checks.isEmpty {
            lines.append("checks:")
            lines += report.checks.map { "  \($0.name): \($0.outcome.rawValue)" + ($0.reason.isEmpty ? "" : " — \($0.reason)") }
        }
        if !report.workers.isEmpty {
            lines.append("workers:")
            lines += report.workers.map { "  \($0.description)" }
        }
        if !report.failedFiles.isEmpty {
            lines.append("failed files:")
            lines += report.failedFiles.map { "  \($0.description)" }
        }
        if !report.warnings.isEmpty {
            lines.append("WARNINGS (files imported that need a look):")
            lines += report.warnings.map { "  \($0)" }
        }
        if !report.refusedKeys.isEmpty {
            lines.append("refused keys (by rule; not in the national key store):")
            for file in report.refusedKeys {
                let groups = file.reasons.map { RefusedKeys(code: $0.code, reason: $0.reason, count: $0.count) }
                lines.append("  \(file.file): \(RefusedKeysText.summary(groups))")
                if let by = file.lossAcceptedBy { lines.append("    loss accepted by \(by)") }
                if let command = file.acceptLoss {
                    lines.append("    phones may still use some of them, so the coverage proof counts those missing; once the loss is decided: \(command)")
                }
            }
        }
        if let approval = report.approval {
            lines.append(
                approval.pending
                    ? "approval: waiting at gate \(approval.gate)"
                    : "approval: \(approval.gate) by \(approval.by ?? "?") " + Self.validity(approval.expiresAt))
        }
        if let request = report.rotationRequest { lines.append("rotation request: \(request)/REQUEST.md (send the folder to Apple/Google)") }
        if let latency = report.cutoverLatencyMs { lines.append("cut-over: client index swapped \(latency) ms after the key-rotation approval") }
        if let lock = report.lock { lines.append("lock:     held by \(lock)") }
        if let error = report.lastError { lines.append("last error: \(error)") }
        if let intact = report.journalIntact { lines.append("journal:  " + (intact ? "hash chain intact" : "HASH CHAIN BROKEN")) }
        // A complete run has no next command; say so instead of an empty heading.
        if report.next.isEmpty {
            lines.append("next:     nothing: the migration is complete")
        } else {
            lines.append("next:")
            lines += report.next.map { "  \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}

/// `status --json` before a run: the same keys as a run's report, `next` a list as there.
private struct NotStarted: Encodable {
    var schema = "enmigrate.status/1"
    var phase = "planned"
    var status = "not started"
    let next: [String]
}
