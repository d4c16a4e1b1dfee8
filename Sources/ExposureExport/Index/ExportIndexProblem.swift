/// One thing wrong with an index file, with its 1-based line number.
public enum ExportIndexProblem: Equatable, Sendable, CustomStringConvertible {
    /// A line sorts before the line above it: clients read oldest → newest.
    case unsorted(line: Int, entry: String, previousLine: Int, previous: String)
    /// The same entry twice.
    case duplicate(line: Int, entry: String, firstLine: Int)
    /// An entry that could leave the feed's root: `..`, an absolute path, a URL.
    case escapesRoot(line: Int, entry: String, reason: String)
    /// An entry outside the expected root folder.
    case wrongRoot(line: Int, entry: String, root: String)
    /// The index starts with a UTF-8 byte-order mark: invisible, but part of the first entry
    /// for a client, which then names no file (and without this check, "outside the root").
    case byteOrderMark

    /// Entries are quoted with their control characters escaped (``TerminalSafe``): the index
    /// is someone else's text, and this message is printed, journaled and shown in `status`.
    public var description: String {
        switch self {
        case let .unsorted(line, entry, previousLine, previous):
            return "index not sorted: line \(line) `\(Self.quote(entry))` sorts before line \(previousLine) `\(Self.quote(previous))`"
        case let .duplicate(line, entry, firstLine):
            return "duplicate entry: line \(line) `\(Self.quote(entry))` repeats line \(firstLine)"
        case let .escapesRoot(line, entry, reason):
            return "unsafe entry: line \(line) `\(Self.quote(entry))` \(reason)"
        case let .wrongRoot(line, entry, root):
            return "entry outside the root: line \(line) `\(Self.quote(entry))` is not under `\(root)/`"
        case .byteOrderMark:
            return "index starts with a UTF-8 byte-order mark (bytes EF BB BF): clients take it as part of the first entry; write the index without it"
        }
    }

    private static func quote(_ entry: String) -> String { TerminalSafe.text(entry) }

    /// The line the problem is on.
    public var line: Int {
        switch self {
        case let .unsorted(line, _, _, _), let .duplicate(line, _, _), let .escapesRoot(line, _, _),
            let .wrongRoot(line, _, _):
            line
        case .byteOrderMark: 1
        }
    }
}

/// An index file that cannot be used, with every problem found in it.
public struct ExportIndexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The index's name (path or URL).
    public let file: String
    /// Every problem, in line order.
    public let problems: [ExportIndexProblem]

    public var description: String {
        problems.map { "\(file):\($0.line): \($0)" }.joined(separator: "\n")
    }
}
