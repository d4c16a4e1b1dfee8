import Foundation
import MigrationEngine
import MigrationStoreContracts

/// Where the coverage baseline (``CoverageSnapshot``) is kept: its JSON header and its key
/// records, always saved together.
///
/// `apply` keeps it in the journal, as the documents `coverage-baseline` (the header) and
/// `coverage-baseline-keys` (24 bytes a key), saved in one transaction that checks the run
/// lock's fence: replicas on other machines read the baseline the holder proved and sealed,
/// and a process that lost the run cannot replace it. Tests and tools may keep it in one file
/// (the header line, then the records), which is also how an older enmigrate kept it beside
/// the journal.
public struct CoverageBaseline: Sendable {
    /// Where it is, for messages (a file's path, or the journal's location and the documents).
    public let place: String
    private let loadHeader: @Sendable () throws -> Data?
    private let loadRecords: @Sendable () throws -> Data?
    private let saveBody: @Sendable (_ header: Data, _ records: Data?) throws -> Void

    init(
        place: String, header: @escaping @Sendable () throws -> Data?, records: @escaping @Sendable () throws -> Data?,
        save: @escaping @Sendable (_ header: Data, _ records: Data?) throws -> Void
    ) {
        self.place = place
        loadHeader = header
        loadRecords = records
        saveBody = save
    }

    /// The header's JSON, nil when no baseline was saved.
    func header() throws -> Data? { try loadHeader() }

    /// The key records, nil when no baseline was saved.
    func records() throws -> Data? { try loadRecords() }

    /// Replaces the header and, unless `records` is nil (a seal changes only the header), the
    /// records: both or neither.
    func save(header: Data, records: Data?) throws { try saveBody(header, records) }

    /// One file: the header, a newline, the records; written atomically and durably.
    public static func file(_ url: URL) -> CoverageBaseline {
        CoverageBaseline(
            place: url.path,
            header: { try fileHeader(url) },
            records: { try fileParts(url)?.records },
            save: { header, records in
                guard let records = try records ?? fileParts(url)?.records else {
                    throw CoverageSnapshot.Unreadable(path: url.path, reason: "no records to keep with the new header")
                }
                try DurableFile.write(header + Data([UInt8(ascii: "\n")]) + records, to: url)
            })
    }

    /// The journal's documents `coverage-baseline` and `coverage-baseline-keys`: read from the
    /// journal this process holds the run lock on (or the one `open` returns: a read-only
    /// look), saved only under the run lock, fenced, in one transaction. `legacyFile` is where
    /// an older enmigrate kept it: read while the journal has none, copied in whole at the
    /// first save and then renamed `….imported`.
    public static func journal(
        lease: HeldLease, open: @escaping @Sendable () throws -> Journal?, location: String, legacyFile: URL? = nil
    ) -> CoverageBaseline {
        let headerName = "coverage-baseline"
        let recordsName = "coverage-baseline-keys"
        let legacy = legacyFile.map(file)
        let journal: @Sendable () throws -> Journal? = { try lease.journal ?? open() }
        return CoverageBaseline(
            place: "\(location) (documents \(headerName), \(recordsName))",
            header: {
                if let header = try journal()?.document(headerName) { return header }
                return try legacy?.header()
            },
            records: {
                if let journal = try journal(), try journal.document(headerName) != nil { return try journal.document(recordsName) }
                return try legacy?.records()
            },
            save: { header, records in
                var documents = [headerName: header]
                let inJournal = try journal()?.document(headerName) != nil
                if let records {
                    documents[recordsName] = records
                } else if !inJournal, let kept = try legacy?.records() {
                    documents[recordsName] = kept
                }
                guard documents[recordsName] != nil || inJournal else {
                    throw CoverageSnapshot.Unreadable(path: headerName, reason: "no records to keep with the new header")
                }
                try lease.saveDocuments(documents)
                if let legacyFile, FileManager.default.fileExists(atPath: legacyFile.path) {
                    let imported = legacyFile.appendingPathExtension("imported")
                    try? FileManager.default.removeItem(at: imported)
                    try FileManager.default.moveItem(at: legacyFile, to: imported)
                }
            })
    }

    /// A file's first line, read without the records behind it; nil when there is no file.
    private static func fileHeader(_ url: URL) throws -> Data? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var head = Data()
        while !head.contains(UInt8(ascii: "\n")), let chunk = try handle.read(upToCount: 64 * 1024), !chunk.isEmpty { head += chunk }
        guard let newline = head.firstIndex(of: UInt8(ascii: "\n")) else { throw CoverageSnapshot.Unreadable(path: url.path, reason: "no snapshot header") }
        return Data(head[head.startIndex..<newline])
    }

    /// A file's header line and records; nil when there is no file.
    private static func fileParts(_ url: URL) throws -> (header: Data, records: Data)? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CoverageSnapshot.Unreadable(
                path: url.path, reason: "cannot be read (\(error.localizedDescription)); run the coverage check again before the cut-over")
        }
        guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { throw CoverageSnapshot.Unreadable(path: url.path, reason: "no snapshot header") }
        return (Data(data[data.startIndex..<newline]), Data(data[(newline + 1)...]))
    }
}
