import Foundation
import MigrationStores

/// The state's key set as the coverage proof saw it before the cut-over, kept so the proof can
/// run again after the swap against exactly that set. A JSON header line (files, count,
/// digest) then one 20-byte record per key: 16 key bytes and the file's position, big-endian.
/// Written atomically; the digest is checked when it is read back.
public enum CoverageSnapshot {
    struct Header: Codable {
        let files: [String]
        let count: Int
        let digest: String
        /// The indexes the proof read, when it held (state client feed, national feed).
        var stateIndexDigest: String?
        var nationalIndexDigest: String?
    }

    /// Why a snapshot could not be read.
    public struct Unreadable: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Writes `set` (without its failed files) to `url` through a temporary file and a rename,
    /// with the digest of the national index it was proven against.
    /// `digest` is the set's digest when the caller has it already (it sorts every key).
    public static func write(_ set: FeedKeySet, digest: String? = nil, provenAgainst nationalIndexDigest: String? = nil, to url: URL) throws {
        var data = try JSONEncoder().encode(Header(files: set.files, count: set.keys.count, digest: digest ?? set.digest,
                                                   stateIndexDigest: set.indexDigest, nationalIndexDigest: nationalIndexDigest))
        data.append(UInt8(ascii: "\n"))
        data.reserveCapacity(data.count + set.keys.count * 20)
        for (key, file) in set.keys.sorted(by: { $0.key < $1.key }) {
            data.append(contentsOf: key.bytes)
            withUnsafeBytes(of: UInt32(bitPattern: file).bigEndian) { data.append(contentsOf: $0) }
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }

    /// What a saved proof covered: the digests of the two indexes it read, the number of state
    /// keys and their digest.
    public struct Proof: Sendable, Equatable {
        public let stateIndexDigest: String
        public let nationalIndexDigest: String
        public let keys: Int
        public let digest: String
    }

    /// The saved proof, from the header alone (nil when none was saved with its indexes).
    public static func proof(at url: URL) -> Proof? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var head = Data()
        while !head.contains(UInt8(ascii: "\n")), let chunk = try? handle.read(upToCount: 64 * 1024), !chunk.isEmpty { head += chunk }
        guard let newline = head.firstIndex(of: UInt8(ascii: "\n")),
              let header = try? JSONDecoder().decode(Header.self, from: head[head.startIndex..<newline]),
              let state = header.stateIndexDigest, let national = header.nationalIndexDigest else { return nil }
        return Proof(stateIndexDigest: state, nationalIndexDigest: national, keys: header.count, digest: header.digest)
    }

    /// The saved set; its digest must match the header's.
    public static func read(from url: URL) throws -> FeedKeySet {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw Unreadable(path: url.path, reason: "cannot be read (\(error.localizedDescription)); run the coverage check again before the cut-over")
        }
        guard let newline = data.firstIndex(of: UInt8(ascii: "\n")),
              let header = try? JSONDecoder().decode(Header.self, from: data[data.startIndex..<newline]) else {
            throw Unreadable(path: url.path, reason: "no snapshot header")
        }
        let body = data[(newline + 1)...]
        guard body.count == header.count * 20 else { throw Unreadable(path: url.path, reason: "truncated: \(body.count / 20) of \(header.count) keys") }
        var set = FeedKeySet(files: header.files, indexDigest: header.stateIndexDigest)
        set.keys.reserveCapacity(header.count)
        var offset = body.startIndex
        while offset < body.endIndex {
            let word = { (start: Int, count: Int) in body[start..<start + count].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            let key = DiagnosisKeyID(high: word(offset, 8), low: word(offset + 8, 8))
            set.keys[key] = Int32(bitPattern: UInt32(truncatingIfNeeded: word(offset + 16, 4)))
            offset += 20
        }
        guard set.digest == header.digest else { throw Unreadable(path: url.path, reason: "its keys do not match its digest") }
        return set
    }
}
