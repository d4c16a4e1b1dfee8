import Foundation

/// The coverage proof: is every key a phone obtains from the state's feed also in the feed
/// phones will read after the cut-over?
public struct CoverageReport: Sendable, Equatable, Codable {
    /// State keys missing from one state file's worth.
    public struct MissingInFile: Sendable, Equatable, Codable {
        public let file: String
        public let missing: Int
    }

    /// Keys, files and digest of one side.
    public struct Side: Sendable, Equatable, Codable {
        public let keys: Int
        public let files: Int
        public let digest: String
        /// Files that did not verify (not counted, listed).
        public let failedFiles: [FileProblem]
    }

    public let state: Side
    public let national: Side
    /// State keys not found in the national feed.
    public let missingKeys: Int
    /// Where the missing keys came from, in state index order.
    public let missingByFile: [MissingInFile]

    /// Every state key is in the national feed.
    public var holds: Bool { missingKeys == 0 }

    /// Compares the key sets by key bytes.
    public static func compare(state: FeedKeySet, national: FeedKeySet) -> CoverageReport {
        var missingCounts: [Int32: Int] = [:]
        for (key, file) in state.keys where national.keys[key] == nil { missingCounts[file, default: 0] += 1 }
        let byFile = missingCounts.sorted { $0.key < $1.key }.map { MissingInFile(file: state.files[Int($0.key)], missing: $0.value) }
        return CoverageReport(
            state: Side(keys: state.keys.count, files: state.files.count, digest: state.digest, failedFiles: state.failedFiles),
            national: Side(keys: national.keys.count, files: national.files.count, digest: national.digest, failedFiles: national.failedFiles),
            missingKeys: byFile.reduce(0) { $0 + $1.missing }, missingByFile: byFile)
    }

    /// One line for a check result or the terminal.
    public var summary: String { summary(comparedWith: "the national feed") }

    /// The line, naming what the state's keys were looked for in (`the client index phones read`
    /// after the cut-over).
    public func summary(comparedWith other: String) -> String {
        var text: String
        if holds {
            text = "all \(state.keys) state keys (\(state.files) files, sha256 \(state.digest.prefix(12))…) are in \(other) "
                + "(\(national.keys) keys, \(national.files) files)"
        } else {
            let files = missingByFile.prefix(5).map { "\($0.file): \($0.missing)" }.joined(separator: ", ")
            text = "\(missingKeys) of \(state.keys) state keys are missing from \(other) (\(files)"
                + (missingByFile.count > 5 ? ", …)" : ")")
        }
        if !state.failedFiles.isEmpty {
            text += "; \(state.failedFiles.count) state files do not verify and are not counted: "
                + state.failedFiles.prefix(3).map(\.file).joined(separator: ", ") + (state.failedFiles.count > 3 ? ", …" : "")
        }
        if !national.failedFiles.isEmpty {
            text += "; \(national.failedFiles.count) files of \(other) do not verify: "
                + national.failedFiles.prefix(3).map(\.description).joined(separator: "; ")
        }
        return text
    }
}
