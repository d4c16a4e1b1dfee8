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

    public var description: String {
        switch self {
        case let .unsorted(line, entry, previousLine, previous):
            return "index not sorted: line \(line) `\(entry)` sorts before line \(previousLine) `\(previous)`"
        case let .duplicate(line, entry, firstLine):
            return "duplicate entry: line \(line) `\(entry)` repeats line \(firstLine)"
        case let .escapesRoot(line, entry, reason):
            return "unsafe entry: line \(line) `\(entry)` \(reason)"
        case let .wrongRoot(line, entry, root):
            return "entry outside the root: line \(line) `\(entry)` is not under `\(root)/`"
        }
    }

    /// The line the problem is on.
    public var line: Int {
        switch self {
        case let .unsorted(line, _, _, _), let .duplicate(line, _, _), let .escapesRoot(line, _, _),
             let .wrongRoot(line, _, _):
            line
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
