import Foundation
import MigrationEngine

/// `status --html` and the plan's `monitoring.statusPage`: one self-contained HTML page (no
/// scripts, no external files) with the phase diagram (current phase highlighted, drawn from the
/// transition table), charts (keys per day in each feed, the phases over time, files by outcome,
/// import lag), the checks and the coverage result, files needing attention, every approval and
/// the cut-over latency.
enum StatusPage {
    /// What the page shows beyond the status report.
    struct Extras {
        /// When the page was written (shown on it).
        var generatedAt = Date()
        /// Seconds after which a browser reloads the page (the page `apply` keeps fresh).
        var refreshSeconds: Int?
        var keysPerDay: [KeysOnDay] = []
        var lagHistory: [StatusPageHistory.Point] = []
        /// Every approval recorded, oldest first.
        var approvals: [Approval] = []
    }

    static func html(_ report: RunStatusReport, plan: String, mode: MigrationPhase.Mode, extras: Extras = Extras()) throws -> String {
        let phases = [MigrationPhase.planned] + (try RunStateMachine.happyPath(mode: mode).edges.map(\.to))
        let gates = Dictionary(
            try RunStateMachine.happyPath(mode: mode).edges.compactMap { edge in edge.gate.map { (edge.to, $0) } },
            uniquingKeysWith: { first, _ in first })
        // `planned` has no timeline entry: a run with a timeline has left it.
        let visited = Set(report.timeline.map(\.phase) + (report.timeline.isEmpty ? [] : [MigrationPhase.planned.rawValue]))
        var body = "<h1>enmigrate: \(escape(plan))</h1>\n"
        body += "<p class=\"summary\">phase <b>\(escape(report.phase))</b> · status <b class=\"\(escape(report.status))\">\(escape(report.status))</b>"
        if let latency = report.cutoverLatencyMs { body += " · cut-over latency <b>\(latency) ms</b>" }
        body += "</p>\n<p class=\"generated\">generated \(extras.generatedAt.formatted(.iso8601))"
        if let seconds = extras.refreshSeconds { body += " · refreshes every \(seconds) s" }
        body += "</p>\n<div class=\"diagram\">\n"
        for (position, phase) in phases.enumerated() {
            if position > 0 {
                body += "<span class=\"arrow\">\(gates[phase].map { "gate \(escape($0.rawValue)) →" } ?? "→")</span>\n"
            }
            let state = phase.rawValue == report.phase ? "current" : (visited.contains(phase.rawValue) ? "done" : "ahead")
            body += "<span class=\"phase \(state)\">\(escape(phase.rawValue))</span>\n"
        }
        body += "</div>\n<h2>Keys per day</h2>\n" + StatusCharts.keysPerDay(extras.keysPerDay)
        body += "<h2>Phases over time</h2>\n" + StatusCharts.timeline(report.timeline, now: extras.generatedAt)
        body += "<h2>Files by outcome</h2>\n" + StatusCharts.files(report.workers)
        body += "<h2>Import lag</h2>\n" + StatusCharts.importLag(extras.lagHistory)
        body += "<h2>Timeline</h2>\n<table><tr><th>phase</th><th>entered</th><th>left</th></tr>\n"
        for span in report.timeline {
            body +=
                "<tr><td>\(escape(span.phase))</td><td>\(span.enteredAt.formatted(.iso8601))</td><td>\(span.leftAt?.formatted(.iso8601) ?? "current")</td></tr>\n"
        }
        body += "</table>\n<h2>Checks</h2>\n"
        if report.checks.isEmpty {
            body += "<p>none evaluated in this phase</p>\n"
        } else {
            body += "<table><tr><th>check</th><th>result</th><th>reason</th></tr>\n"
            for check in report.checks {
                body +=
                    "<tr><td>\(escape(check.name))</td><td class=\"\(check.outcome.rawValue)\">\(check.outcome.rawValue)</td><td>\(escape(check.reason))</td></tr>\n"
            }
            body += "</table>\n"
        }
        if !report.workers.isEmpty {
            body += "<h2>Workers</h2>\n<ul>\n" + report.workers.map { "<li>\(escape($0.description))</li>\n" }.joined() + "</ul>\n"
        }
        if !report.failedFiles.isEmpty {
            body += "<h2>Files needing attention</h2>\n<ul>\n" + report.failedFiles.map { "<li>\(escape($0.description))</li>\n" }.joined() + "</ul>\n"
        }
        if let coverage = report.checks.last(where: { $0.name == "coverage" }) {
            body +=
                "<h2>Coverage</h2>\n<p class=\"\(coverage.outcome.rawValue)\">\(coverage.outcome.rawValue)"
                + (coverage.reason.isEmpty ? "" : ": \(escape(coverage.reason))") + "</p>\n"
        }
        if !extras.approvals.isEmpty {
            body += "<h2>Approvals</h2>\n<table><tr><th>gate</th><th>by</th><th>when</th><th>note</th></tr>\n"
            for approval in extras.approvals {
                body +=
                    "<tr><td>\(escape(approval.gate.rawValue))</td><td>\(escape(approval.by))</td><td>\(approval.at.formatted(.iso8601))</td><td>\(escape(approval.note))</td></tr>\n"
            }
            body += "</table>\n"
        }
        if let approval = report.approval {
            body +=
                "<h2>Approval</h2>\n<p>"
                + (approval.pending
                    ? "waiting at gate <b>\(escape(approval.gate))</b>"
                    : "\(escape(approval.gate)) approved by \(escape(approval.by ?? "?"))" + (approval.note.map { ": \(escape($0))" } ?? "")) + "</p>\n"
        }
        if let error = report.lastError { body += "<h2>Last error</h2>\n<p class=\"failed\">\(escape(error))</p>\n" }
        body +=
            "<h2>Next</h2>\n"
            + (report.next.isEmpty
                ? "<p>nothing: the run has ended</p>\n"
                : "<pre>\(escape(report.next.joined(separator: "\n")))</pre>\n")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">\(extras.refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")<title>enmigrate status: \(escape(plan))</title>
            <style>
            body { font: 15px/1.45 system-ui, sans-serif; margin: 2em; color: #1d2329; }
            .diagram { display: flex; flex-wrap: wrap; align-items: center; gap: .4em; margin: 1em 0 1.5em; }
            .phase { padding: .45em .8em; border-radius: .5em; border: 2px solid #9aa5b1; }
            .phase.done { background: #e3f4e8; border-color: #3c9d5d; }
            .phase.current { background: #1f6feb; border-color: #1f6feb; color: white; font-weight: bold; }
            .phase.ahead { color: #6b7785; border-style: dashed; }
            .arrow { color: #6b7785; font-size: .9em; }
            .generated { color: #6b7785; font-size: .85em; }
            svg.chart { display: block; margin: .3em 0 1em; font-family: system-ui, sans-serif; }
            table { border-collapse: collapse; margin-bottom: 1em; }
            td, th { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }
            .passed, .succeeded, .steady { color: #1a7f37; } .failed, .aborted, .inconclusive { color: #cf222e; } .pending, .waiting { color: #9a6700; }
            </style></head><body>
            \(body)</body></html>

            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
