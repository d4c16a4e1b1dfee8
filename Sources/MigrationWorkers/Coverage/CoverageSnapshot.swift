import ExposureExport
import Foundation
import MigrationStoreContracts

/// The baseline: the state's key set as the coverage proof saw it before the cut-over, kept so
/// the proof can run again after the swap against exactly that set, with what the proof read
/// (index digests, every file's version on both sides, the national key's fingerprint).
///
/// A JSON header, then one 24-byte record per key: 16 key bytes, the file's position and the
/// key's end interval, big-endian (format 1, before end intervals, had 20-byte records), kept
/// where ``CoverageBaseline`` says (the journal, under `apply`). Written durably; the digest
/// is checked when it is read back. Once *sealed* (just before the
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

    /// Writes `set` (the state side of a proof that held) to `baseline`, with what the proof
    /// read of the national feed. Refused once the baseline is sealed.
    public static func write(
        _ set: FeedKeySet, digest: String? = nil, national: FeedKeySet? = nil, nationalKeyFingerprint: String? = nil,
        acceptedLosses: [String] = [], to baseline: CoverageBaseline
    ) throws {
        if let existing = try? proof(in: baseline), existing.sealedAt != nil {
            throw Unreadable(path: baseline.place, reason: "the baseline was sealed for the cut-over and is never replaced")
        }
        var header = Header(
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
        header.recordsSHA256 = records.sha256Hex
        try baseline.save(header: try JSONEncoder().encode(header), records: records)
    }

    /// Every file the national side listed, verified or not, in index order as far as known.
    static func entries(of set: FeedKeySet) -> [String] {
        set.files + set.rejectedFiles.map(\.file) + set.unavailableFiles.map(\.file)
    }

    /// Marks the baseline sealed (durably), before the client index is swapped. Sealing a
    /// sealed baseline changes nothing.
    public static func seal(_ baseline: CoverageBaseline, now: Date, replacing clientIndexDigest: String) throws {
        var header = try self.header(of: baseline)
        guard header.sealedAt == nil else { return }
        header.sealedAt = now.timeIntervalSince1970
        header.replacedIndexDigest = clientIndexDigest
        try baseline.save(header: try JSONEncoder().encode(header), records: nil)
    }

    private static func header(of baseline: CoverageBaseline) throws -> Header {
        guard let data = try baseline.header() else {
            throw Unreadable(path: baseline.place, reason: "no baseline was saved; run the coverage check again before the cut-over")
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else { throw Unreadable(path: baseline.place, reason: "no snapshot header") }
        return header
    }

    /// The saved proof, from the header alone (nil when none was saved with its indexes).
    /// Throws only when the place cannot be read (a journal that does not answer).
    public static func proof(in baseline: CoverageBaseline) throws -> Proof? {
        guard let data = try baseline.header(), let header = try? JSONDecoder().decode(Header.self, from: data),
            let state = header.stateIndexDigest, let national = header.nationalIndexDigest
        else { return nil }
        return Proof(
            stateIndexDigest: state, nationalIndexDigest: national, keys: header.count, digest: header.digest,
            stateFileVersions: header.stateFileVersions ?? [:], nationalFileVersions: header.nationalFileVersions ?? [:],
            nationalFiles: header.nationalFiles ?? [], stateRejected: header.stateRejected ?? [], acceptedLosses: header.acceptedLosses ?? [],
            nationalKeyFingerprint: header.nationalKeyFingerprint, sealedAt: header.sealedAt.map(Date.init(timeIntervalSince1970:)),
            replacedIndexDigest: header.replacedIndexDigest)
    }

    /// The saved set; its digest must match the header's.
    public static func read(from baseline: CoverageBaseline) throws -> FeedKeySet {
        let header = try self.header(of: baseline)
        let place = baseline.place
        let width = (header.format ?? 1) >= 2 ? 24 : 20
        guard let body = try baseline.records() else { throw Unreadable(path: place, reason: "its key records are missing") }
        guard body.count == header.count * width else { throw Unreadable(path: place, reason: "truncated: \(body.count / width) of \(header.count) keys") }
        if let expected = header.recordsSHA256, body.sha256Hex != expected {
            throw Unreadable(path: place, reason: "its records do not match their digest (damaged at rest)")
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
        guard set.digest == header.digest else { throw Unreadable(path: place, reason: "its keys do not match its digest") }
        for line in header.revisions ?? [] {
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0].count == 32, let type = UInt8(parts[1]), let file = Int32(parts[2]),
                let key = DiagnosisKeyID(hex: String(parts[0]))
            else {
                throw Unreadable(path: place, reason: "a revision record is malformed: \(line)")
            }
            set.revisions[key] = FeedKeySet.Revision(reportType: type, file: file)
        }
        return set
    }
}
