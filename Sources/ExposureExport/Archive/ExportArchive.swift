import Foundation
import SwiftProtobuf
import ZIPFoundation

/// The two parts of an export file, read from a zip archive (or given bare), not yet decoded.
///
/// Entries are found by exact name through the central directory, so stored or deflated
/// entries, data descriptors, any entry order and extra entries (`content.sig`) all read.
public struct ExportArchive: Sendable {
    /// A name for the source, used in every error (a path or URL).
    public let name: String
    /// The whole export.bin, header included: the bytes that are signed.
    public let exportBin: Data
    /// export.sig, when there is one.
    public let exportSig: Data?
    /// Every entry name in the archive, in archive order (empty for a bare export.bin).
    public let entryNames: [String]

    /// Wraps a bare export.bin and an optional export.sig.
    public init(name: String, exportBin: Data, exportSig: Data?) {
        self.name = name
        self.exportBin = exportBin
        self.exportSig = exportSig
        self.entryNames = []
    }

    private init(name: String, exportBin: Data, exportSig: Data?, entryNames: [String]) {
        self.name = name
        self.exportBin = exportBin
        self.exportSig = exportSig
        self.entryNames = entryNames
    }

    /// What a file holds, judged by its first bytes rather than its name.
    public enum Kind: Sendable {
        /// A zip archive.
        case zip
        /// A bare export.bin (starts with the export header).
        case bareExportBin
        /// Neither.
        case unknown
    }

    /// Classifies bytes by content: zip local header or end record, or the export header.
    public static func kind(of data: Data) -> Kind {
        let prefix = [UInt8](data.prefix(4))
        if prefix == [0x50, 0x4B, 0x03, 0x04] || prefix == [0x50, 0x4B, 0x05, 0x06] { return .zip }
        if ExportHeader.isPresent(in: data) { return .bareExportBin }
        return .unknown
    }

    /// Reads a zip export archive from memory, enforcing `limits`.
    ///
    /// The bytes are read through a temporary file, not ZIPFoundation's in-memory archive: that
    /// one traps (a crash, not an error) when an offset in the zip points past the end of the
    /// bytes, and leaks the bytes when it refuses them. From a file such a read comes up short
    /// and becomes an error naming the file.
    public static func read(
        zip data: Data, name: String, limits: ExportLimits = .default
    ) throws(ExportFileError) -> ExportArchive {
        try precheck(zip: data, name: name, limits: limits)
        let staged = FileManager.default.temporaryDirectory
            .appendingPathComponent("enmigrate-export-\(UUID().uuidString).zip")
        do {
            try data.write(to: staged, options: .withoutOverwriting)
        } catch {
            throw .notAnArchive(file: name, reason: "cannot stage it in a temporary file: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: staged) }
        return try read(zipAt: staged, bytes: data, name: name, limits: limits)
    }

    /// Refuses what is too large or has no zip end record before ZIPFoundation sees it (its
    /// search for the record reads a byte at a time).
    static func precheck(zip data: Data, name: String, limits: ExportLimits) throws(ExportFileError) {
        guard data.count <= limits.maxArchiveBytes else {
            throw .archiveTooLarge(file: name, bytes: data.count, limit: limits.maxArchiveBytes)
        }
        guard hasEndOfCentralDirectory(data) else {
            throw .notAnArchive(file: name, reason: "no end of central directory record (not a zip archive, or cut short)")
        }
    }

    /// Reads the zip archive in the file at `url`, whose `bytes` are prechecked, enforcing `limits`.
    static func read(zipAt url: URL, bytes: Data, name: String, limits: ExportLimits) throws(ExportFileError) -> ExportArchive {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw .notAnArchive(file: name, reason: "\(error)")
        }
        let names = archive.map(\.path)
        // Two entries of one name: zip readers disagree on which counts (the first, the last,
        // the central directory's or the local headers'), so a verifier and a phone could read
        // different keys from one signed file. Refused, never guessed.
        for entry in ["export.bin", "export.sig"] where names.count(where: { $0 == entry }) > 1 {
            throw .duplicateEntry(file: name, entry: entry, count: names.count { $0 == entry })
        }
        guard let binEntry = archive["export.bin"] else {
            throw .missingExportBin(file: name, entries: names)
        }
        let bin = try extract(binEntry, from: archive, bytes: bytes, name: name, limit: limits.maxEntryBytes)
        let sig = try archive["export.sig"].map { entry throws(ExportFileError) in
            try extract(entry, from: archive, bytes: bytes, name: name, limit: limits.maxEntryBytes)
        }
        return ExportArchive(name: name, exportBin: bin, exportSig: sig, entryNames: names)
    }

    /// Whether ZIPFoundation will find an end of central directory record: the last
    /// `PK\u{5}\u{6}` that leaves room for the 22-byte record, whose comment must fit in the
    /// data. The same search as `Archive.scanForEndOfCentralDirectoryRecord`, on the bytes.
    static func hasEndOfCentralDirectory(_ data: Data) -> Bool {
        let recordSize = 22
        guard data.count >= recordSize else { return false }
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            var offset = bytes.count - recordSize
            while offset >= 0 {
                if bytes[offset] == 0x50, bytes[offset + 1] == 0x4B, bytes[offset + 2] == 0x05, bytes[offset + 3] == 0x06 {
                    let commentLength = Int(bytes[offset + 20]) | Int(bytes[offset + 21]) << 8
                    return offset + recordSize + commentLength <= bytes.count
                }
                offset -= 1
            }
            return false
        }
    }

    private struct LimitExceeded: Error {}

    /// A deflate stream that has no end before the entry's bytes do.
    private struct StreamCutShort: Error, CustomStringConvertible {
        var description: String { "the deflate stream ends before its end marker" }
    }

    /// A stored entry whose bytes end before its declared size.
    private struct EntryCutShort: Error, CustomStringConvertible {
        var description: String { "the entry's data ends before its declared size" }
    }

    /// Inflates one entry, refusing to grow past `limit` whatever the entry declares.
    ///
    /// A deflated entry is inflated here from its own bytes, not by `Archive.extract`: that one
    /// feeds zlib from the file until the stream ends and spins for ever when it does not (a
    /// cut or crafted stream hung the reader). Stored entries are read by ZIPFoundation, which
    /// stops at the declared size; a short read there is refused too.
    private static func extract(
        _ entry: Entry, from archive: Archive, bytes: Data, name: String, limit: Int
    ) throws(ExportFileError) -> Data {
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw .entryTooLarge(file: name, entry: entry.path, limit: limit)
        }
        var output = Data()
        output.reserveCapacity(Int(entry.uncompressedSize))
        let consume = { (chunk: Data) throws in
            guard output.count + chunk.count <= limit else { throw LimitExceeded() }
            output.append(chunk)
        }
        do {
            if entry.isCompressed {
                guard let raw = compressedBytes(of: entry.path, in: bytes) else {
                    throw ExportFileError.corruptEntry(
                        file: name, entry: entry.path,
                        reason: "its local header or data is outside the archive, or it is a zip64 entry")
                }
                var position = 0
                let checksum = try Data.decompress(
                    size: Int64(raw.count), bufferSize: 64 * 1024, skipCRC32: false,
                    provider: { _, size in
                        guard position < raw.count else { throw StreamCutShort() }
                        let end = min(raw.count, position + size)
                        defer { position = end }
                        // ZIPFoundation tells zlib every chunk is `size` bytes long, so a short
                        // last chunk is padded (with zeros, never a valid continuation: a cut
                        // stream still fails, by zlib or by its CRC) rather than read past.
                        var chunk = raw.subdata(in: (raw.startIndex + position)..<(raw.startIndex + end))
                        if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                        return chunk
                    },
                    consumer: consume)
                guard checksum == entry.checksum else {
                    throw ExportFileError.corruptEntry(file: name, entry: entry.path, reason: "CRC32 mismatch")
                }
            } else {
                _ = try archive.extract(entry, bufferSize: 64 * 1024) { chunk in
                    guard !chunk.isEmpty else { throw EntryCutShort() }
                    try consume(chunk)
                }
            }
        } catch let error as ExportFileError {
            throw error
        } catch is LimitExceeded {
            throw .entryTooLarge(file: name, entry: entry.path, limit: limit)
        } catch {
            throw .corruptEntry(file: name, entry: entry.path, reason: "\(error)")
        }
        return output
    }

    /// The compressed bytes of the first entry named `path`, found as ZIPFoundation finds them
    /// (the end record, the central directory, the entry's local header), at most its declared
    /// compressed size and never past the end of `data`. Nil when a header is out of place or
    /// the entry needs zip64 (an export file is far below 4 GiB).
    static func compressedBytes(of path: String, in data: Data) -> Data? {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Data? in
            func u16(_ at: Int) -> Int? {
                at >= 0 && at + 2 <= bytes.count ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : nil
            }
            func u32(_ at: Int) -> Int? {
                guard let low = u16(at), let high = u16(at + 2) else { return nil }
                return low | high << 16
            }
            var end = bytes.count - 22
            while end >= 0, u32(end) != 0x0605_4B50 { end -= 1 }
            guard end >= 0, let count = u16(end + 10), var offset = u32(end + 16) else { return nil }
            let zip64 = 0xFFFF_FFFF
            for _ in 0..<count {
                guard u32(offset) == 0x0201_4B50, let compressed = u32(offset + 20), let nameLength = u16(offset + 28),
                    let extraLength = u16(offset + 30), let commentLength = u16(offset + 32),
                    let local = u32(offset + 42), offset + 46 + nameLength <= bytes.count
                else { return nil }
                let entryName = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
                if entryName == path {
                    guard compressed != zip64, local != zip64, u32(local) == 0x0403_4B50,
                        let localName = u16(local + 26), let localExtra = u16(local + 28)
                    else { return nil }
                    let start = local + 30 + localName + localExtra
                    guard start <= bytes.count else { return nil }
                    return Data(bytes[start..<min(bytes.count, start + compressed)])
                }
                offset += 46 + nameLength + extraLength + commentLength
            }
            return nil
        }
    }
}
