import Foundation

/// An index file (`<root>/index.txt`): the object names of a feed's export files, oldest
/// first. Lines include the root folder and resolve against the bucket / CDN root, which is
/// the parent of the index's folder.
public struct ExportIndex: Equatable, Sendable {
    /// The entries, byte-sorted and without duplicates.
    public let entries: [String]

    /// An index of `entries`, sorted byte-wise and de-duplicated as the reference server writes.
    public init(entries: some Sequence<String>) {
        self.entries = Array(Set(entries)).sorted(by: Self.byteOrder)
    }

    /// The file's text: entries joined by `\n`, no trailing newline.
    public var text: String { entries.joined(separator: "\n") }

    /// Parses an index leniently where clients are lenient (blank lines, CRLF, a trailing
    /// newline or none) and strictly where order and safety matter: every entry must sort
    /// after the one above it, appear once, stay inside the root (no `..`, no absolute path,
    /// no URL) and, when `root` is given, sit under `root/`. All problems are reported at once.
    public static func parse(_ text: String, file: String, root: String? = nil) throws(ExportIndexError) -> ExportIndex {
        var entries: [String] = []
        var problems: [ExportIndexProblem] = []
        var firstSeen: [String: Int] = [:]
        var previous: (line: Int, entry: String)?
        var text = Substring(text)
        // Said once and removed, so the first entry is judged on what follows it.
        if text.unicodeScalars.first == "\u{FEFF}" {
            problems.append(.byteOrderMark)
            text = Substring(text.unicodeScalars.dropFirst())
        }
        // `\r\n` is one Character in Swift, so split on newline characters, not on "\n".
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let entry = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !entry.isEmpty else { continue }
            let line = offset + 1
            if let problem = safetyProblem(entry, line: line, root: root) {
                // An unsafe entry is never used, so it takes no part in the order checks.
                problems.append(problem)
                continue
            }
            if let first = firstSeen[entry] {
                problems.append(.duplicate(line: line, entry: entry, firstLine: first))
                continue
            }
            if let previous, byteOrder(entry, previous.entry) {
                problems.append(.unsorted(line: line, entry: entry, previousLine: previous.line, previous: previous.entry))
            }
            firstSeen[entry] = line
            previous = (line, entry)
            entries.append(entry)
        }
        guard problems.isEmpty else { throw ExportIndexError(file: file, problems: problems) }
        return ExportIndex(sortedUniqueEntries: entries)
    }

    private init(sortedUniqueEntries: [String]) {
        self.entries = sortedUniqueEntries
    }

    private static func safetyProblem(_ entry: String, line: Int, root: String?) -> ExportIndexProblem? {
        if entry.contains("://") || entry.hasPrefix("//") {
            return .escapesRoot(line: line, entry: entry, reason: "names a host; entries are paths under the feed's root")
        }
        if entry.hasPrefix("/") || entry.hasPrefix("\\") {
            return .escapesRoot(line: line, entry: entry, reason: "is an absolute path")
        }
        let segments = entry.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if segments.contains(where: { $0 == ".." || $0 == "." }) {
            return .escapesRoot(line: line, entry: entry, reason: "contains a `..` or `.` segment")
        }
        if let root, !entry.hasPrefix(root + "/") {
            return .wrongRoot(line: line, entry: entry, root: root)
        }
        return nil
    }

    /// Byte-wise string order (what Go's sort.Strings does), not Unicode collation.
    static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// The base entries resolve against: the parent of the index's folder
    /// (`https://cdn/exposureKeyExport-US/index.txt` → `https://cdn/`).
    public static func base(forIndexAt indexURL: URL) -> URL {
        indexURL.deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The URL of every entry under `base` (by default the parent of the index's folder).
    public func urls(base: URL) -> [URL] {
        entries.map { base.appendingPathComponent($0) }
    }
}
