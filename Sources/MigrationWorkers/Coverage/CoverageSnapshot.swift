import ExposureExport
import Foundation
import MigrationStores

/// The baseline: the state's key set as the coverage proof saw it before the cut-over, kept so
/// the proof can run again after the swap against exactly that set, with what the proof read
/// (index digests, every file's version on both sides, the national key's fingerprint).
///
/// A JSON header line, then one 24-byte record per key: 16 key bytes, the file's position and
/// the key's end interval, big-endian (format 1, before end intervals, had 20-byte records).
/// Written durably; the digest is checked when it is read back. Once *sealed* (just before the
/// client index is swapped) it is never written again: after the swap the state's client
/// index lists national files, and a proof taken then would replace the baseline with them.
public enum CoverageSnapshot {
    struct Header: Codable {
        var format: Int?
        let files: [String]
        let count: Int
        let digest: String
        /// The indexes the proof read, when it held (state client feed, national feed).
        var stateIndexDigest: String?
        var nationalIndexDigest: String?
        /// The content versions of every state and national file the proof read.
        var stateFileVersions: [String: String]?
        var nationalFileVersions: [String: String]?
        /// The national index's entries as the proof read them.
        var nationalFiles: [String]?
        /// State files left out because phones reject them.
        var stateRejected: [FileProblem]?
        /// Losses accepted when the proof held, as the proof words them.
        var acceptedLosses: [String]?
        /// The state's revisions: `<32 hex digits of the key> <report type> <file position>`.
        var revisions: [String]?
        /// Fingerprint of the national key the national feed was read with.
        var nationalKeyFingerprint: String?
        /// When the baseline was sealed for the swap (seconds since 1970).
        var sealedAt: Double?
        /// SHA-256 (hex) of the client index the swap replaces, as it was when sealed ("" when
        /// there was none): the swap publishes only over that index (or its own result).
        var replacedIndexDigest: String?
        /// SHA-256 (hex) of the records after the header: any flipped byte is noticed, also in
        /// the fields the key digest does not cover.
        var recordsSHA256: String?
    }

    /// Why a snapshot could not be read or written.
    public struct Unreadable: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// What a saved proof covered.
    public struct Proof: Sendable, Equatable {
        public let stateIndexDigest: String
        public let nationalIndexDigest: String
        public let keys: Int
        public let digest: String
        public let stateFileVersions: [String: String]
        public let nationalFileVersions: [String: String]
        public let nationalFiles: [String]
        public let stateRejected: [FileProblem]
        /// Losses accepted when the proof held.
        public let acceptedLosses: [String]
        public let nationalKeyFingerprint: String?
        /// When it was sealed for the swap; nil while it may still be replaced.
        public let sealedAt: Date?
        /// The client index the swap replaces, as sealed ("" when there was none).
        public let replacedIndexDigest: String?
    }

    /// Writes `set` (the state side of a proof that held) to `url`, with what the proof read
    /// of the national feed. Refused once the baseline is sealed.
    public static func write(
        _ set: FeedKeySet, digest: String? = nil, national: FeedKeySet? = nil, nationalKeyFingerprint: String? = nil,
        acceptedLosses: [String] = [], to url: URL
    ) throws {
        if let existing = proof(at: url), existing.sealedAt != nil {
            throw Unreadable(path: url.path, reason: "the baseline was sealed for the cut-over and is never replaced")
        }
        let header = Header(
            format: 2, files: set.files, count: set.keys.count, digest: digest ?? set.digest,
            stateIndexDigest: set.indexDigest, nationalIndexDigest: national?.indexDigest,
            stateFileVersions: set.fileVersions, nationalFileVersions: national?.fileVersions,
            nationalFiles: national.map { Self.entries(of: $0) }, stateRejected: set.rejectedFiles, acceptedLosses: acceptedLosses,
            revisions: set.revisions.sorted { $0.key < $1.key }.map { key, revision in
                key.bytes.map { String(format: "%02x", $0) }.joined() + " \(revision.reportType) \(revision.file)"
            },
            nationalKeyFingerprint: nationalKeyFingerprint, sealedAt: nil)
        var records = Data()
        records.reserveCapacity(set.keys.count * 24)
        for (key, origin) in set.keys.sorted(by: { $0.key < $1.key }) {
            withUnsafeBytes(of: key.high.bigEndian) { records.append(contentsOf: $0) }
            withUnsafeBytes(of: key.low.bigEndian) { records.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(bitPattern: origin.file).bigEndian) { records.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(bitPattern: origin.endInterval).bigEndian) { records.append(contentsOf: $0) }
        }
        var sealedHeader = header
        sealedHeader.recordsSHA256 = records.sha256Hex
        var data = try JSONEncoder().encode(sealedHeader)
        data.append(UInt8(ascii: "\n"))
        data.append(records)
        try DurableFile.write(data, to: url)
    }

    /// Every file the national side listed, verified or not, in index order as far as known.
    static func entries(of set: FeedKeySet) -> [String] {
        set.files + set.rejectedFiles.map(\.file) + set.unavailableFiles.map(\.file)
    }

    /// Marks the baseline sealed (durably), before the client index is swapped. Sealing a
    /// sealed baseline changes nothing.
    public static func seal(at url: URL, now: Date, replacing clientIndexDigest: String) throws {
        let data = try contents(of: url)
        guard let newline = data.firstIndex(of: UInt8(ascii: "\n")), var header = try? JSONDecoder().decode(Header.self, from: data[data.startIndex..<newline])
        else {
            throw Unreadable(path: url.path, reason: "no snapshot header")
        }
        guard header.sealedAt == nil else { return }
        header.sealedAt = now.timeIntervalSince1970
        header.replacedIndexDigest = clientIndexDigest
        var sealed = try JSONEncoder().encode(header)
        sealed.append(contentsOf: data[newline...])
        try DurableFile.write(sealed, to: url)
    }

    /// The saved proof, from the header alone (nil when none was saved with its indexes).
    public static func proof(at url: URL) -> Proof? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var head = Data()
        while !head.contains(UInt8(ascii: "\n")), let chunk = try? handle.read(upToCount: 64 * 1024), !chunk.isEmpty { head += chunk }
        guard let newline = head.firstIndex(of: UInt8(ascii: "\n")),
            let header = try? JSONDecoder().decode(Header.self, from: head[head.startIndex..<newline]),
            let state = header.stateIndexDigest, let national = header.nationalIndexDigest
        else { return nil }
        return Proof(
            stateIndexDigest: state, nationalIndexDigest: national, keys: header.count, digest: header.digest,
            stateFileVersions: header.stateFileVersions ?? [:], nationalFileVersions: header.nationalFileVersions ?? [:],
            nationalFiles: header.nationalFiles ?? [], stateRejected: header.stateRejected ?? [], acceptedLosses: header.acceptedLosses ?? [],
            nationalKeyFingerprint: header.nationalKeyFingerprint, sealedAt: header.sealedAt.map(Date.init(timeIntervalSince1970:)),
            replacedIndexDigest: header.replacedIndexDigest)
    }

    private static func contents(of url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw Unreadable(path: url.path, reason: "cannot be read (\(error.localizedDescription)); run the coverage check again before the cut-over")
        }
    }

    /// The saved set; its digest must match the header's.
    public static func read(from url: URL) throws -> FeedKeySet {
        let data = try contents(of: url)
        guard let newline = data.firstIndex(of: UInt8(ascii: "\n")),
            let header = try? JSONDecoder().decode(Header.self, from: data[data.startIndex..<newline])
        else {
            throw Unreadable(path: url.path, reason: "no snapshot header")
        }
        let width = (header.format ?? 1) >= 2 ? 24 : 20
        let body = data[(newline + 1)...]
        guard body.count == header.count * width else { throw Unreadable(path: url.path, reason: "truncated: \(body.count / width) of \(header.count) keys") }
        if let expected = header.recordsSHA256, Data(body).sha256Hex != expected {
            throw Unreadable(path: url.path, reason: "its records do not match their digest (damaged at rest)")
        }
        var set = FeedKeySet(
            files: header.files, rejectedFiles: header.stateRejected ?? [], fileVersions: header.stateFileVersions ?? [:],
            indexDigest: header.stateIndexDigest)
        set.keys.reserveCapacity(header.count)
        var offset = body.startIndex
        while offset < body.endIndex {
            let word = { (start: Int, count: Int) in body[start..<start + count].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            let key = DiagnosisKeyID(high: word(offset, 8), low: word(offset + 8, 8))
            let file = Int32(bitPattern: UInt32(truncatingIfNeeded: word(offset + 16, 4)))
            let end = width == 24 ? Int32(bitPattern: UInt32(truncatingIfNeeded: word(offset + 20, 4))) : .max
            set.keys[key] = FeedKeySet.Origin(file: file, endInterval: end)
            offset += width
        }
        guard set.digest == header.digest else { throw Unreadable(path: url.path, reason: "its keys do not match its digest") }
        for line in header.revisions ?? [] {
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0].count == 32, let type = UInt8(parts[1]), let file = Int32(parts[2]),
                let key = DiagnosisKeyID(hex: String(parts[0]))
            else {
                throw Unreadable(path: url.path, reason: "a revision record is malformed: \(line)")
            }
            set.revisions[key] = FeedKeySet.Revision(reportType: type, file: file)
        }
        return set
    }
}
