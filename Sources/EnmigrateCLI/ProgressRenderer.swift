import ExposureExport
import Foundation
import MigrationEngine
import Synchronization

/// How the text output reaches people. On a terminal: one live line per worker's progress,
/// rewritten in place with done/total, rate, ETA and elapsed time, and errors and warnings in
/// colour (never with `NO_COLOR` or `TERM=dumb`). Into a pipe or a file (systemd, Kubernetes,
/// a log): progress as timestamped lines, at most one per worker every ``pipedEvery`` plus the
/// last of a pass, and no control characters at all.
final class ProgressRenderer: Sendable {
    /// Where the text goes and what it can do.
    struct Output: Sendable {
        let isTerminal: Bool
        let color: Bool
        /// Writes `text` as is (already made terminal-safe), flushed.
        let write: @Sendable (String) -> Void

        /// Standard output, as the process has it.
        static var standard: Output {
            let terminal = isatty(STDOUT_FILENO) == 1
            let environment = ProcessInfo.processInfo.environment
            let color = terminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
            return Output(isTerminal: terminal, color: color) { text in
                Swift.print(text, terminator: "")
                // All streams: naming `stdout` is shared mutable state to Swift 6.
                fflush(nil)
            }
        }
    }

    private struct Pass {
        var started: Date
        var lastDone: Int
        var lastPrinted: Date?
    }

    private struct State {
        var passes: [String: Pass] = [:]
        /// The worker whose live progress line is on the screen without its newline.
        var live: String?
    }

    let output: Output
    let pipedEvery: TimeInterval
    private let now: @Sendable () -> Date
    private let state = Mutex(State())

    init(output: Output = .standard, pipedEvery: TimeInterval = 5, now: @escaping @Sendable () -> Date = Date.init) {
        self.output = output
        self.pipedEvery = pipedEvery
        self.now = now
    }

    /// A worker's progress: `done` of `total` files.
    func progress(worker: String, done: Int, total: Int, keys: Int?, detail: String) {
        let at = now()
        let text: String? = state.withLock { state in
            var pass = state.passes[worker] ?? Pass(started: at, lastDone: 0)
            // A count that went back is a new pass: its rate starts again.
            if done < pass.lastDone { pass = Pass(started: at, lastDone: 0) }
            pass.lastDone = done
            let last = done >= total
            if !output.isTerminal, !last, let printed = pass.lastPrinted, at.timeIntervalSince(printed) < pipedEvery {
                state.passes[worker] = pass
                return nil
            }
            pass.lastPrinted = at
            state.passes[worker] = last ? nil : pass
            let line = Self.describe(worker: worker, done: done, total: total, keys: keys, detail: detail, elapsed: at.timeIntervalSince(pass.started))
            if output.isTerminal {
                // Rewritten in place; the last one of a pass stays, with its newline. Another
                // worker's line left unfinished (a pass that ended early) is kept, not overwritten.
                let keep = state.live.map { $0 != worker } ?? false
                state.live = last ? nil : worker
                return (keep ? "\n" : "") + "\r\u{1B}[2K" + TerminalSafe.text(line) + (last ? "\n" : "")
            }
            return EventRecord.timestamp(at) + " " + TerminalSafe.text(line) + "\n"
        }
        if let text { output.write(text) }
    }

    /// Any other line: ends a live progress line first; errors red and warnings yellow on a
    /// colour terminal.
    func line(_ text: String, level: EventRecord.Level = .info) {
        let pending = state.withLock { state in
            defer { state.live = nil }
            return state.live == nil ? "" : "\n"
        }
        let safe = TerminalSafe.text(text)
        let painted =
            switch (output.color, level) {
            case (true, .error): "\u{1B}[31m" + safe + "\u{1B}[0m"
            case (true, .warning): "\u{1B}[33m" + safe + "\u{1B}[0m"
            default: safe
            }
        output.write(pending + painted + "\n")
    }

    /// `export-importer: 23/238 files (9.7 %), 4200 keys · 12.3 files/s · ETA 17 s · 1.9 s elapsed · detail`.
    static func describe(worker: String, done: Int, total: Int, keys: Int?, detail: String, elapsed: TimeInterval) -> String {
        var parts = ["\(worker): \(done)/\(total) files" + (total > 0 ? String(format: " (%.0f %%)", Double(done) * 100 / Double(total)) : "")]
        if let keys { parts[0] += ", \(keys) keys" }
        if elapsed >= 0.5, done > 0 {
            let rate = Double(done) / elapsed
            parts.append(String(format: "%.1f files/s", rate))
            if done < total { parts.append("ETA " + duration(Double(total - done) / rate)) }
        }
        parts.append(duration(elapsed) + " elapsed")
        if !detail.isEmpty { parts.append(detail) }
        // Indented like the workers' other lines under their step.
        return "  " + parts.joined(separator: " · ")
    }

    static func duration(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<10: String(format: "%.1f s", seconds)
        case ..<120: "\(Int(seconds)) s"
        case ..<7200: "\(Int(seconds / 60)) min \(Int(seconds) % 60) s"
        default: "\(Int(seconds / 3600)) h \(Int(seconds / 60) % 60) min"
        }
    }
}
