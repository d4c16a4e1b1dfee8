import Foundation
import MigrationEngine

/// The status page's charts as inline SVG: no script, no network, readable when the page is
/// saved or mailed. Each is one `<svg class="chart NAME">` with a `<title>`, or a sentence when
/// there is nothing to draw yet.
enum StatusCharts {
    /// Each chart's colours are its own, so a screenshot shows which charts were drawn
    /// (`scripts/status-screenshot --check` looks for them).
    static let stateColour = "#8250df", nationalColour = "#2da44e"
    static let doneColour = "#4ac26b", badColour = "#cf222e", waitingColour = "#bf8700"
    static let phaseColour = "#8c959f", currentColour = "#0969da"
    private static let width = 720.0

    /// Keys per day, the state's feed beside the national feed.
    static func keysPerDay(_ days: [KeysOnDay]) -> String {
        guard !days.isEmpty else { return "<p>no keys imported yet</p>\n" }
        let height = 180.0, top = 16.0, bottom = 22.0, left = 48.0
        let peak = Double(max(days.map { max($0.state, $0.national) }.max() ?? 1, 1))
        let slot = (width - left) / Double(days.count), bar = max(1, slot * 0.4)
        var svg = open("keys-per-day", height: height, title: "keys per day: the state's feed and the national feed")
        svg += axis(left: left, top: top, bottom: height - bottom, label: "\(Int(peak)) keys")
        let labelEvery = max(1, days.count / 8)
        for (index, day) in days.enumerated() {
            let x = left + Double(index) * slot + slot * 0.1
            for (offset, (value, colour)) in [(day.state, stateColour), (day.national, nationalColour)].enumerated() where value > 0 {
                let h = (height - top - bottom) * Double(value) / peak
                svg += rect(x: x + Double(offset) * bar, y: height - bottom - h, width: bar, height: h, fill: colour, tip: "\(value)")
            }
            if index % labelEvery == 0 {
                svg += text(x: x, y: height - 6, day.day.formatted(.iso8601.month().day().dateSeparator(.dash)))
            }
        }
        svg += legend([("state feed", stateColour), ("national feed", nationalColour)], y: 12)
        return svg + "</svg>\n"
    }

    /// The phases as bars along time, the current one up to `now`.
    static func timeline(_ spans: [RunStatusReport.PhaseSpan], now: Date) -> String {
        guard let first = spans.first?.enteredAt else { return "<p>not started</p>\n" }
        // Room for the longest phase name (preparing-cut-over) left of the bars.
        let row = 22.0, left = 140.0, height = row * Double(spans.count) + 24
        let total = max(now.timeIntervalSince(first), 1)
        var svg = open("timeline", height: height, title: "the phases over time")
        for (index, span) in spans.enumerated() {
            let y = Double(index) * row + 4
            let start = span.enteredAt.timeIntervalSince(first) / total, end = (span.leftAt ?? now).timeIntervalSince(first) / total
            svg += text(x: 0, y: y + 14, span.phase)
            svg += rect(
                x: left + start * (width - left), y: y, width: max(2, (end - start) * (width - left)), height: row - 6,
                fill: span.leftAt == nil ? currentColour : phaseColour, tip: span.enteredAt.formatted(.iso8601))
        }
        svg += text(x: left, y: height - 4, first.formatted(.iso8601))
        return svg + "</svg>\n"
    }

    /// Each worker's files by outcome: done, failed or quarantined, waiting for a retry.
    static func files(_ workers: [RunStatusReport.WorkerProgress]) -> String {
        let rows = workers.compactMap { worker -> (String, [(Int, String)])? in
            let done = ["reSigned", "imported", "written", "staged"].compactMap { worker.counts[$0] }.max() ?? 0
            let bad = (worker.counts["failed"] ?? 0) + (worker.counts["quarantined"] ?? 0)
            let waiting = worker.counts["retrying"] ?? 0
            return done + bad + waiting == 0 ? nil : (worker.worker, [(done, doneColour), (bad, badColour), (waiting, waitingColour)])
        }
        guard !rows.isEmpty else { return "<p>no files handled yet</p>\n" }
        let row = 24.0, left = 130.0, height = row * Double(rows.count) + 22
        let most = Double(max(rows.map { $0.1.reduce(0) { $0 + $1.0 } }.max() ?? 1, 1))
        var svg = open("files", height: height, title: "files by outcome, per worker")
        for (index, (name, parts)) in rows.enumerated() {
            let y = Double(index) * row + 20
            svg += text(x: 0, y: y + 14, name)
            var x = left
            for (count, colour) in parts where count > 0 {
                let w = (width - left - 90) * Double(count) / most
                svg += rect(x: x, y: y, width: w, height: row - 6, fill: colour, tip: "\(count)")
                x += w
            }
            svg += text(x: x + 4, y: y + 14, parts.map { String($0.0) }.joined(separator: " / "))
        }
        svg += legend([("done", doneColour), ("failed or quarantined", badColour), ("waiting for a retry", waitingColour)], y: 12)
        return svg + "</svg>\n"
    }

    /// Import lag (how long the oldest second-feed file not yet imported has waited) over time.
    static func importLag(_ points: [StatusPageHistory.Point]) -> String {
        guard points.count > 1, let first = points.first?.at, let last = points.last?.at else {
            return "<p>import lag: not enough passes yet to draw</p>\n"
        }
        let height = 140.0, top = 12.0, bottom = 20.0, left = 48.0
        let peak = max(points.map(\.lagSeconds).max() ?? 1, 1), span = max(last.timeIntervalSince(first), 1)
        let coordinates = points.map { point in
            let x = left + (width - left) * point.at.timeIntervalSince(first) / span
            let y = height - bottom - (height - top - bottom) * point.lagSeconds / peak
            return String(format: "%.1f,%.1f", x, y)
        }
        var svg = open("import-lag", height: height, title: "import lag over time")
        svg += axis(
            left: left, top: top, bottom: height - bottom,
            label: Duration.seconds(Int64(peak)).formatted(.units(allowed: [.hours, .minutes, .seconds], width: .narrow)))
        svg += "<polyline fill=\"none\" stroke=\"\(currentColour)\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>\n"
        svg += text(x: left, y: height - 4, first.formatted(.iso8601)) + text(x: width - 150, y: height - 4, last.formatted(.iso8601))
        return svg + "</svg>\n"
    }

    private static func open(_ name: String, height: Double, title: String) -> String {
        "<svg class=\"chart \(name)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\"><title>\(StatusPage.escape(title))</title>\n"
    }

    private static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tip: String) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"\(fill)\"><title>\(StatusPage.escape(tip))</title></rect>\n"
    }

    private static func text(x: Double, y: Double, _ content: String) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"11\" fill=\"#444c56\">\(StatusPage.escape(content))</text>\n"
    }

    private static func axis(left: Double, top: Double, bottom: Double, label: String) -> String {
        "<line x1=\"\(f(left - 4))\" y1=\"\(f(top))\" x2=\"\(f(left - 4))\" y2=\"\(f(bottom))\" stroke=\"#9aa5b1\"/>\n" + text(x: 0, y: top + 8, label)
    }

    private static func legend(_ entries: [(String, String)], y: Double) -> String {
        var x = width - 330
        return entries.map { name, colour in
            defer { x += Double(name.count) * 6.5 + 28 }
            return "<rect x=\"\(f(x))\" y=\"\(f(y - 9))\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>\n" + text(x: x + 14, y: y, name)
        }.joined()
    }

    /// A coordinate with one decimal.
    private static func f(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
