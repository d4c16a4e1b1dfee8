import Foundation

/// How phones fetch a changed client index, simulated for the two algorithms real clients use
/// (the reference server's index guidelines describe both):
/// - **resume after the last name**: a phone remembers the last file name it processed and
///   fetches only the lines that sort after it (byte order); a new file whose name sorts
///   before it is never fetched;
/// - **names seen**: a phone keeps the set of names it has processed and fetches every line it
///   has not seen.
///
/// Given the index phones read before and the one they read next, it says what each phone
/// fetches (files and bytes) and which new files the first kind would never fetch.
public struct PhoneDownloadSimulation: Sendable, Equatable, Codable {
    /// What one kind of phone does at the change.
    public struct Phone: Sendable, Equatable, Codable {
        /// Files it downloads.
        public let files: Int
        /// Their bytes, where known.
        public let bytes: Int
        /// New files it never downloads (names that sort before what it already processed).
        public let skipped: [String]
    }

    public let resumeAfterLastName: Phone
    public let namesSeen: Phone

    /// Whether every new file reaches both kinds of phones.
    public var noPhoneMissesAFile: Bool { resumeAfterLastName.skipped.isEmpty && namesSeen.skipped.isEmpty }

    /// Simulates phones that processed every line of `before` reading `after`; `sizes` gives
    /// the bytes of `after`'s files where known.
    public static func change(from before: [String], to after: [String], sizes: [String: Int] = [:]) -> PhoneDownloadSimulation {
        let seen = Set(before)
        let fresh = after.filter { !seen.contains($0) }
        let last = before.max { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let resumed = fresh.filter { name in last.map { $0.utf8.lexicographicallyPrecedes(name.utf8) } ?? true }
        let skipped = fresh.filter { name in !resumed.contains(name) }
        func bytes(_ names: [String]) -> Int { names.reduce(0) { $0 + (sizes[$1] ?? 0) } }
        return PhoneDownloadSimulation(
            resumeAfterLastName: Phone(files: resumed.count, bytes: bytes(resumed), skipped: skipped),
            namesSeen: Phone(files: fresh.count, bytes: bytes(fresh), skipped: []))
    }

    /// One line for the journal, `verify` and the report.
    public var summary: String {
        var text =
            "phones that resume after the last name fetch \(resumeAfterLastName.files) files (\(resumeAfterLastName.bytes) bytes); "
            + "phones that keep the names seen fetch \(namesSeen.files) files (\(namesSeen.bytes) bytes)"
        if !resumeAfterLastName.skipped.isEmpty {
            text +=
                "; phones that resume after the last name would never fetch \(resumeAfterLastName.skipped.count) files: "
                + resumeAfterLastName.skipped.prefix(3).joined(separator: ", ") + (resumeAfterLastName.skipped.count > 3 ? ", …" : "")
        }
        return text
    }
}
