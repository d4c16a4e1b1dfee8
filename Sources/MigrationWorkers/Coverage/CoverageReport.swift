import Foundation
import MigrationEngine

/// The coverage proof: is every key a phone obtains from the state's feed also in the feed
/// phones will read after the cut-over? Three outcomes: it holds, it fails (keys are
/// missing), or it is inconclusive (a listed file could not be read, so what it holds is
/// unknown). Only `holds` opens the gate.
public struct CoverageReport: Sendable, Equatable, Codable {
    /// The proof's outcome.
    public enum Verdict: String, Sendable, Codable {
        /// Every key a phone can get from the state is in the other feed.
        case holds
        /// Keys are missing (and no unread file could explain it).
        case fails
        /// A listed file could not be read: the proof cannot say either way.
        case inconclusive
    }

    /// State keys missing from one state file's worth.
    public struct MissingInFile: Sendable, Equatable, Codable {
        public let file: String
        /// 16-byte keys not found in the other feed.
        public let missing: Int
        /// Keys that are not 16 bytes (no phone or importer can use them).
        public var malformed: Int = 0
        /// Revisions (confirmed, revoked) of keys the other feed has, that it does not carry.
        public var revisions: Int = 0

        public init(file: String, missing: Int, malformed: Int = 0, revisions: Int = 0) {
            self.file = file
            self.missing = missing
            self.malformed = malformed
            self.revisions = revisions
        }

        /// Everything missing from this file's worth.
        public var total: Int { missing + malformed + revisions }
    }

    /// A state file whose loss an operator accepted, and what was accepted.
    public struct AcceptedInFile: Sendable, Equatable, Codable {
        public let file: String
        /// Missing and malformed keys of the file that no longer block.
        public let keys: Int
        /// Whether the file itself could not be read.
        public let unavailable: Bool
        public let by: String
        public let note: String

        /// `FILE (3 keys, by NAME: NOTE)`.
        public var description: String { "\(file) (\(unavailable ? "unreadable" : "\(keys) keys"), by \(by): \(note))" }
    }

    /// Keys, files and digest of one side.
    public struct Side: Sendable, Equatable, Codable {
        public let keys: Int
        public let files: Int
        public let digest: String
        /// Files read whole that a phone rejects: left out (phones reject them too), listed.
        public let rejectedFiles: [FileProblem]
        /// Listed files that could not be read: the reason the proof is inconclusive.
        public let unavailableFiles: [FileProblem]
    }

    public let verdict: Verdict
    public let state: Side
    public let national: Side
    /// State keys not found in the other feed, malformed ones included, accepted ones not.
    public let missingKeys: Int
    /// State revisions (confirmed, revoked) the other feed does not carry, accepted ones not.
    public var missingRevisions: Int = 0
    /// Where the missing keys came from, in state index order (accepted files left out).
    public let missingByFile: [MissingInFile]
    /// Accepted losses that applied.
    public let accepted: [AcceptedInFile]
    /// State keys phones no longer match (their rolling period ended more than 14 days ago):
    /// not looked for, since a feed may drop them.
    public let expiredKeys: Int

    /// Every state key is in the other feed, and every listed file was read.
    public var holds: Bool { verdict == .holds }

    /// Compares the key sets by key bytes. `accepted` losses (by state file) no longer block;
    /// with `owedAt`, state keys phones no longer match at that time are not looked for.
    public static func compare(state: FeedKeySet, national: FeedKeySet, accepted: [LossAcceptance] = [], owedAt: Date? = nil) -> CoverageReport {
        var missingCounts: [Int32: Int] = [:]
        var expired = 0
        for (key, origin) in state.keys where national.keys[key] == nil {
            // A key the state revoked is owed to no feed as a positive key.
            if state.revisions[key]?.reportType == 5 { continue }
            if let owedAt, !FeedKeySet.stillOwed(origin, at: owedAt) {
                expired += 1
                continue
            }
            missingCounts[origin.file, default: 0] += 1
        }
        let acceptedByFile = Dictionary(accepted.map { ($0.file, $0) }, uniquingKeysWith: { first, _ in first })
        var byFile: [MissingInFile] = []
        var acceptedFiles: [AcceptedInFile] = []
        // A revision is owed when the other feed publishes the key as positive (a key it lacks is
        // counted as missing, or, when revoked, owed no more).
        var revisionCounts: [Int32: Int] = [:]
        for (key, revision) in state.revisions
        where FeedKeySet.revisionsOwed.contains(revision.reportType) && national.keys[key] != nil
            && !national.carries(revision, for: key)
        {
            revisionCounts[revision.file, default: 0] += 1
        }
        for position in Set(missingCounts.keys).union(state.malformedKeys.keys).union(revisionCounts.keys).sorted() {
            let file = state.files[Int(position)]
            let entry = MissingInFile(
                file: file, missing: missingCounts[position] ?? 0, malformed: state.malformedKeys[position] ?? 0,
                revisions: revisionCounts[position] ?? 0)
            guard entry.total > 0 else { continue }
            if let loss = acceptedByFile[file] {
                acceptedFiles.append(AcceptedInFile(file: file, keys: entry.total, unavailable: false, by: loss.by, note: loss.note))
            } else {
                byFile.append(entry)
            }
        }
        var unavailable: [FileProblem] = []
        for problem in state.unavailableFiles {
            if let loss = acceptedByFile[problem.file] {
                acceptedFiles.append(AcceptedInFile(file: problem.file, keys: 0, unavailable: true, by: loss.by, note: loss.note))
            } else {
                unavailable.append(problem)
            }
        }
        let missing = byFile.reduce(0) { $0 + $1.missing + $1.malformed }
        let missingRevisions = byFile.reduce(0) { $0 + $1.revisions }
        let definite = missing + missingRevisions
        let verdict: Verdict =
            if !national.unavailableFiles.isEmpty || !unavailable.isEmpty {
                // Missing keys are definite only when every file of the other feed was read.
                definite > 0 && national.unavailableFiles.isEmpty ? .fails : .inconclusive
            } else {
                definite > 0 ? .fails : .holds
            }
        var report = CoverageReport(
            verdict: verdict,
            state: Side(
                keys: state.keys.count, files: state.files.count, digest: state.digest,
                rejectedFiles: state.rejectedFiles, unavailableFiles: unavailable),
            national: Side(
                keys: national.keys.count, files: national.files.count, digest: national.digest,
                rejectedFiles: national.rejectedFiles, unavailableFiles: national.unavailableFiles),
            missingKeys: missing, missingByFile: byFile, accepted: acceptedFiles, expiredKeys: expired)
        report.missingRevisions = missingRevisions
        return report
    }

    /// `accepted losses: A (…), B (…)`, three at most.
    static func acceptedLine(_ losses: [String]) -> String {
        "accepted losses: " + losses.prefix(3).joined(separator: ", ") + (losses.count > 3 ? ", …" : "")
    }

    /// One line for a check result or the terminal.
    public var summary: String { summary(comparedWith: "the national feed") }

    /// The line, naming what the state's keys were looked for in (`the client index phones read`
    /// after the cut-over).
    public func summary(comparedWith other: String) -> String {
        var parts: [String] = []
        switch verdict {
        case .holds:
            parts.append(
                "all \(state.keys - expiredKeys) state keys (\(state.files) files, sha256 \(state.digest.prefix(12))…) are in \(other) "
                    + "(\(national.keys) keys, \(national.files) files)")
        case .fails where missingKeys > 0:
            let files = missingByFile.filter { $0.missing + $0.malformed > 0 }
            let shown = files.prefix(5).map { "\($0.file): \($0.missing + $0.malformed)" }.joined(separator: ", ")
            parts.append(
                "\(missingKeys) of \(state.keys + missingByFile.reduce(0) { $0 + $1.malformed }) state keys are missing from \(other) (\(shown)"
                    + (files.count > 5 ? ", …)" : ")"))
        case .fails:
            parts.append("every state key is in \(other), but revisions are not")
        case .inconclusive:
            let unread = state.unavailableFiles.map { "state \($0)" } + national.unavailableFiles.map { "\(other): \($0)" }
            // Every unread file is named: each is one the operator must get served (or decide on).
            parts.append(
                "inconclusive: \(unread.count) listed files could not be read, so what they hold is unknown ("
                    + unread.joined(separator: "; ") + "); make the feed serve them and run apply again"
                    + (state.unavailableFiles.isEmpty ? "" : ", or accept a state file's loss: enmigrate accept-loss PLAN --file NAME --by NAME --note WHY"))
            if missingKeys > 0 { parts.append("\(missingKeys) state keys not found so far") }
        }
        if missingRevisions > 0 {
            let files = missingByFile.filter { $0.revisions > 0 }
            parts.append(
                "\(missingRevisions) state revisions (confirmed or revoked) are not in \(other) ("
                    + files.prefix(5).map { "\($0.file): \($0.revisions)" }.joined(separator: ", ") + (files.count > 5 ? ", …)" : ")")
                    + " — the importer refuses revisions its rules do not allow (a confirmed key cannot be revoked); accept the loss when it is decided")
        }
        let malformed = missingByFile.reduce(0) { $0 + $1.malformed }
        if malformed > 0 { parts.append("\(malformed) of the missing keys are not 16 bytes (no phone can use them; accept the loss to go on)") }
        if !accepted.isEmpty { parts.append(Self.acceptedLine(accepted.map(\.description))) }
        if expiredKeys > 0 { parts.append("\(expiredKeys) state keys no longer matched by phones (rolling period ended over 14 days ago) are not looked for") }
        if !state.rejectedFiles.isEmpty {
            parts.append(
                "LEFT OUT: \(state.rejectedFiles.count) state files fail a phone's verification (phones reject them too): "
                    + state.rejectedFiles.prefix(3).map(\.description).joined(separator: "; ") + (state.rejectedFiles.count > 3 ? "; …" : ""))
        }
        if !national.rejectedFiles.isEmpty {
            parts.append(
                "\(national.rejectedFiles.count) files of \(other) do not verify: "
                    + national.rejectedFiles.prefix(3).map(\.description).joined(separator: "; "))
        }
        return parts.joined(separator: "; ")
    }
}
