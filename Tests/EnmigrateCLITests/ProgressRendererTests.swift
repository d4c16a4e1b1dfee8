import Foundation
import Synchronization
import Testing

@testable import EnmigrateCLI

@Suite("Progress people can follow: a live line on a terminal, timestamped lines at a bounded rate into a pipe")
struct ProgressRendererTests {
    final class Screen: Sendable {
        let written = Mutex("")
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var text: String { written.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    }

    func renderer(terminal: Bool, color: Bool = false) -> (ProgressRenderer, Screen) {
        let screen = Screen()
        let output = ProgressRenderer.Output(isTerminal: terminal, color: color) { text in screen.written.withLock { $0 += text } }
        return (ProgressRenderer(output: output, pipedEvery: 5, now: { screen.now.withLock { $0 } }), screen)
    }

    @Test("on a terminal one line is rewritten in place with rate, ETA and elapsed time; the next line starts on its own")
    func terminal() {
        let (renderer, screen) = renderer(terminal: true)
        renderer.progress(worker: "export-importer", done: 1, total: 10, keys: 100, detail: "")
        screen.advance(2)
        renderer.progress(worker: "export-importer", done: 5, total: 10, keys: 500, detail: "500 keys imported")
        #expect(screen.text.components(separatedBy: "\r\u{1B}[2K").count == 3, "each update rewrites the line")
        #expect(!screen.text.contains("\n"), "no newline while the pass runs")
        #expect(screen.text.contains("5/10 files (50 %), 500 keys · 2.5 files/s · ETA 2.0 s · 2.0 s elapsed · 500 keys imported"), "\(screen.text)")
        renderer.line("check coverage: passed")
        #expect(screen.text.hasSuffix("\ncheck coverage: passed\n"), "the live line is ended before another line")
        renderer.progress(worker: "mirror", done: 3, total: 3, keys: nil, detail: "")
        #expect(screen.text.hasSuffix("mirror: 3/3 files (100 %) · 0.0 s elapsed\n"), "the last of a pass stays: \(screen.text)")
        // A pass that ended early leaves its line; the next worker's starts below it.
        renderer.progress(worker: "dual-export", done: 1, total: 4, keys: nil, detail: "")
        renderer.progress(worker: "national-export", done: 1, total: 2, keys: nil, detail: "")
        #expect(screen.text.contains("dual-export: 1/4 files (25 %) · 0.0 s elapsed\n\r\u{1B}[2K  national-export"), "\(screen.text)")
    }

    @Test("into a pipe: timestamped, at most one line per worker every 5 s plus the last; no control characters")
    func piped() {
        let (renderer, screen) = renderer(terminal: false)
        for done in 1...100 {
            renderer.progress(worker: "export-importer", done: done, total: 100, keys: nil, detail: "")
            screen.advance(0.1)
        }
        let lines = screen.text.split(separator: "\n")
        #expect(lines.count == 3, "at 0, 5 s and the last: \(lines)")
        #expect(lines.allSatisfy { $0.hasPrefix("2027-01-15T") && $0.contains("export-importer: ") }, "\(lines)")
        #expect(lines.last?.contains("100/100 files") == true)
        #expect(!screen.text.contains("\u{1B}") && !screen.text.contains("\r"))
    }

    @Test("colour only on a colour terminal: errors red, warnings yellow; NO_COLOR or a pipe get plain text")
    func colour() {
        let (painted, screen) = renderer(terminal: true, color: true)
        painted.line("dual-export: failed", level: .error)
        #expect(screen.text == "\u{1B}[31mdual-export: failed\u{1B}[0m\n")
        let (plain, plainScreen) = renderer(terminal: true, color: false)
        plain.line("dual-export: failed", level: .error)
        #expect(plainScreen.text == "dual-export: failed\n")
    }
}
