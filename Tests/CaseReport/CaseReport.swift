import Foundation

/// Rows of the hostile-input table of docs/RELIABILITY.md, written by the tests that prove
/// each case (test support; not part of the product). With `ENMIGRATE_CASE_REPORT=FOLDER` a
/// test writes the case it proved and what the operator saw in that run — the message the
/// test checked, not a description of it; `scripts/hostile-inputs` prints the table.
public enum CaseReport {
    /// One proved case.
    public struct Row: Codable, Sendable {
        public let order: Int
        public let caseName: String
        public let handling: String
        public let operatorSees: String
        public let test: String
    }

    /// Records a case when a report folder is set; `order` places its row in the table.
    public static func record(_ order: Int, case caseName: String, handling: String, operatorSees: String, test: String) {
        guard let folder = ProcessInfo.processInfo.environment["ENMIGRATE_CASE_REPORT"] else { return }
        let row = Row(order: order, caseName: caseName, handling: handling, operatorSees: shorten(operatorSees), test: test)
        let url = URL(fileURLWithPath: folder).appendingPathComponent(String(format: "%03d.json", order))
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? JSONEncoder().encode(row).write(to: url)
    }

    /// One line, temporary folders shown as `…/`, at most 260 characters.
    static func shorten(_ text: String) -> String {
        var line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        for folder in [NSTemporaryDirectory(), "/tmp/", "/var/folders/"] {
            while let range = line.range(of: folder) {
                let rest = line[range.upperBound...]
                let end = rest.firstIndex { $0 == " " || $0 == "`" || $0 == "'" || $0 == "," || $0 == ")" } ?? rest.endIndex
                let path = rest[..<end]
                let last = path.split(separator: "/").last.map(String.init) ?? ""
                line.replaceSubrange(range.lowerBound..<end, with: "…/" + last)
            }
        }
        return line.count > 260 ? String(line.prefix(259)) + "…" : line
    }
}
