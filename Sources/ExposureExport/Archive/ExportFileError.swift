/// Why an export file could not be read. Every case names the file.
public enum ExportFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The archive is larger than the limit.
    case archiveTooLarge(file: String, bytes: Int, limit: Int)
    /// An entry inflates (or declares it inflates) past the limit: a zip bomb or a broken file.
    case entryTooLarge(file: String, entry: String, limit: Int)
    /// The bytes are not a readable zip archive (truncated, corrupt central directory, …).
    case notAnArchive(file: String, reason: String)
    /// An entry could not be inflated or failed its CRC.
    case corruptEntry(file: String, entry: String, reason: String)
    /// The archive has no `export.bin` at its top level.
    case missingExportBin(file: String, entries: [String])
    /// `export.bin` or `export.sig` appears more than once.
    case duplicateEntry(file: String, entry: String, count: Int)
    /// export.bin does not start with `EK Export v1` and four spaces.
    case badHeader(file: String)
    /// export.bin's protobuf does not decode.
    case undecodableExport(file: String, reason: String)
    /// export.sig's protobuf does not decode.
    case undecodableSignatures(file: String, reason: String)
    /// More keys than the limit.
    case tooManyKeys(file: String, count: Int, limit: Int)

    public var description: String {
        switch self {
        case let .archiveTooLarge(file, bytes, limit):
            return "\(file): archive is \(bytes) bytes, over the limit of \(limit) bytes"
        case let .entryTooLarge(file, entry, limit):
            return "\(file): entry \(entry) inflates past the limit of \(limit) bytes (zip bomb or broken file)"
        case let .notAnArchive(file, reason):
            return "\(file): not a readable zip archive: \(reason)"
        case let .corruptEntry(file, entry, reason):
            return "\(file): entry \(entry) is corrupt: \(reason)"
        case let .missingExportBin(file, entries):
            let listed = entries.isEmpty ? "no entries" : "entries: " + entries.joined(separator: ", ")
            return "\(file): no export.bin at the top level of the archive (\(listed))"
        case let .duplicateEntry(file, entry, count):
            return "\(file): the archive has \(count) entries named \(entry); zip readers disagree on which one counts, so it is refused"
        case let .badHeader(file):
            return "\(file): export.bin does not start with the header 'EK Export v1    '"
        case let .undecodableExport(file, reason):
            return "\(file): export.bin does not decode as TemporaryExposureKeyExport: \(reason)"
        case let .undecodableSignatures(file, reason):
            return "\(file): export.sig does not decode as TEKSignatureList: \(reason)"
        case let .tooManyKeys(file, count, limit):
            return "\(file): \(count) keys, over the limit of \(limit) keys per file"
        }
    }

    /// A short stable code for scripts (`--json`).
    public var code: String {
        switch self {
        case .archiveTooLarge: "archive-too-large"
        case .entryTooLarge: "entry-too-large"
        case .notAnArchive: "not-an-archive"
        case .corruptEntry: "corrupt-entry"
        case .missingExportBin: "missing-export-bin"
        case .duplicateEntry: "duplicate-entry"
        case .badHeader: "bad-header"
        case .undecodableExport: "undecodable-export"
        case .undecodableSignatures: "undecodable-signatures"
        case .tooManyKeys: "too-many-keys"
        }
    }
}
