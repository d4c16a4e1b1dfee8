import Foundation
import Testing
@testable import ExposureExport

@Suite("Index files")
struct ExportIndexTests {
    @Test("blank lines, CRLF and a trailing newline are tolerated")
    func lenientParsing() throws {
        let text = "r/1-2-00001.zip\r\n\r\nr/2-3-00001.zip\n  \nr/3-4-00001.zip\n"
        let index = try ExportIndex.parse(text, file: "index.txt", root: "r")
        #expect(index.entries == ["r/1-2-00001.zip", "r/2-3-00001.zip", "r/3-4-00001.zip"])
    }

    @Test("an unsorted index names both lines")
    func unsorted() {
        #expect(throws: ExportIndexError(file: "i", problems: [.unsorted(line: 3, entry: "r/a.zip", previousLine: 2, previous: "r/b.zip")])) {
            try ExportIndex.parse("r/0.zip\nr/b.zip\nr/a.zip", file: "i")
        }
        let message = ExportIndexProblem.unsorted(line: 41, entry: "x", previousLine: 40, previous: "y").description
        #expect(message == "index not sorted: line 41 `x` sorts before line 40 `y`")
    }

    @Test("duplicates, traversal, absolute paths, URLs and foreign roots are each reported, all at once")
    func unsafeEntries() {
        let text = "r/a.zip\nr/a.zip\nr/../etc/passwd\n/abs.zip\nhttps://evil.example/r/x.zip\nother/x.zip"
        do {
            _ = try ExportIndex.parse(text, file: "i", root: "r")
            Issue.record("accepted an unsafe index")
        } catch {
            #expect(error.problems.map(\.line) == [2, 3, 4, 5, 6])
            #expect(error.problems[0] == .duplicate(line: 2, entry: "r/a.zip", firstLine: 1))
            if case .escapesRoot = error.problems[1] {} else { Issue.record("`..` not caught") }
            if case .escapesRoot = error.problems[2] {} else { Issue.record("absolute path not caught") }
            if case .escapesRoot = error.problems[3] {} else { Issue.record("URL not caught") }
            #expect(error.problems[4] == .wrongRoot(line: 6, entry: "other/x.zip", root: "r"))
            #expect(error.description.contains("i:3:"))
        }
    }

    @Test("written byte-sorted, de-duplicated, joined by newlines without a trailing one")
    func writing() {
        let index = ExportIndex(entries: ["r/b.zip", "r/B.zip", "r/a.zip", "r/b.zip"])
        #expect(index.text == "r/B.zip\nr/a.zip\nr/b.zip")
    }

    @Test("entries resolve against the parent of the index's folder")
    func resolution() throws {
        let indexURL = try #require(URL(string: "https://cdn.example/exposureKeyExport-US/index.txt"))
        let base = ExportIndex.base(forIndexAt: indexURL)
        let urls = ExportIndex(entries: ["exposureKeyExport-US/1-2-00001.zip"]).urls(base: base)
        #expect(urls.map(\.absoluteString) == ["https://cdn.example/exposureKeyExport-US/1-2-00001.zip"])
    }
}
