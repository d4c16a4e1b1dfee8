import MigrationRehearsal

/// The rehearsal report for people: what was changed from the plan, each fault with its
/// recovery, and the end state.
struct RehearsalSummary {
    let report: RehearsalReport

    var lines: [String] {
        var lines = ["", "rehearsal of \(report.plan) (seed \(report.seed), faults: \(report.faultSpec))"]
        lines += report.adjustments.map { "  differs from the plan: \($0)" }
        if !report.buckets.isEmpty { lines.append("  buckets: \(report.buckets)") }
        lines.append("  simulated state: \(report.days) days, \(report.clientFiles) client files, \(report.keysPublished) keys")
        for fault in report.faults {
            lines.append("  fault \(fault.fault): \(fault.injected)")
            lines.append("    recovered: \(fault.recovery.isEmpty ? "(no later pass)" : fault.recovery)")
        }
        if let end = report.endState {
            lines.append(
                "  end: \(end.phase) (\(end.status)); coverage \(end.coverageHolds ? "holds" : "DOES NOT HOLD"): \(end.stateKeys) state keys, \(end.nationalKeys) read from \(end.clientIndexSwapped ? "the state's client index with the national key" : "the national feed")"
            )
            lines.append("  national key set sha256 \(end.nationalDigest); journal hash chain \(end.journalIntact ? "intact" : "BROKEN")")
            if !end.failedFiles.isEmpty { lines.append("  failed files: \(end.failedFiles.joined(separator: "; "))") }
            if let latency = end.cutoverLatencyMs { lines.append("  cut-over latency: \(latency) ms") }
        }
        lines.append("  passes: \(report.passes.count) (logs in \(report.folder)/logs), report: \(report.folder)/rehearsal-report.json")
        lines.append(report.succeeded ? "rehearsal passed" : "rehearsal FAILED: \(report.problem ?? "unknown")")
        return lines
    }
}
