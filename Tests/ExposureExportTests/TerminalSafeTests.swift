import CaseReport
import Foundation
import Testing
@testable import ExposureExport

/// Issue 20, item 4: text from a feed never reaches a terminal raw.
@Suite("Terminal-safe text")
struct TerminalSafeTests {
    static let hostile = "r/\u{1b}[2J\u{1b}]0;title\u{07}FAKE: coverage passed"

    @Test("C0, DEL, C1 and bidi overrides are shown escaped; line feeds, tabs and letters stay")
    func text() {
        #expect(TerminalSafe.text(Self.hostile) == #"r/\x1b[2J\x1b]0;title\x07FAKE: coverage passed"#)
        #expect(TerminalSafe.text("a\rb\u{7f}c\u{9b}d\u{202e}e") == #"a\x0db\x7fc\x9bd\u{202e}e"#)
        #expect(TerminalSafe.text("Grüße\tfrom\nthe CDN") == "Grüße\tfrom\nthe CDN")
    }

    @Test("JSON escapes what encoders leave raw, the JSON way: the same string to a reader")
    func json() throws {
        let data = try JSONEncoder().encode(["m": "x\u{1b}y\u{9b}z\u{7f}\u{202e}"])
        let safe = TerminalSafe.json(String(decoding: data, as: UTF8.self))
        #expect(!safe.unicodeScalars.contains(where: TerminalSafe.isUnsafe))
        #expect(try JSONDecoder().decode([String: String].self, from: Data(safe.utf8)) == ["m": "x\u{1b}y\u{9b}z\u{7f}\u{202e}"])
    }

    @Test("an index's problems quote entries escaped")
    func indexProblems() {
        do {
            _ = try ExportIndex.parse(Self.hostile.replacingOccurrences(of: "r/", with: "other/"), file: "i", root: "r")
            Issue.record("accepted an entry outside the root")
        } catch {
            #expect(!error.description.unicodeScalars.contains(where: TerminalSafe.isUnsafe), "\(error.description)")
            #expect(error.description.contains(#"\x1b[2J"#))
        }
    }

    @Test("an index starting with a UTF-8 byte-order mark says so, and its first entry is judged without it")
    func byteOrderMark() {
        #expect(throws: ExportIndexError(file: "i", problems: [.byteOrderMark])) {
            try ExportIndex.parse("\u{FEFF}r/a.zip\nr/b.zip", file: "i", root: "r")
        }
        let message = ExportIndexError(file: "i", problems: [.byteOrderMark]).description
        #expect(message.contains("index starts with a UTF-8 byte-order mark"), "\(message)")
        CaseReport.record(
            70, case: "a UTF-8 byte-order mark at the start of an index", handling: "index refused", operatorSees: message,
            test: "TerminalSafeTests.byteOrderMark")
        let bytes = Data([0xEF, 0xBB, 0xBF]) + Data("r/a.zip".utf8)
        #expect(throws: ExportIndexError(file: "i", problems: [.byteOrderMark])) {
            try ExportIndex.parse(String(decoding: bytes, as: UTF8.self), file: "i", root: "r")
        }
    }
}
