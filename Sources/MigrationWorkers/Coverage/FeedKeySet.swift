import Crypto
import Foundation

/// The keys a phone obtains from a feed: every key of every file that verifies, by key bytes,
/// with the file it first appeared in, and the files that did not verify (listed, never
/// counted as missing).
public struct FeedKeySet: Sendable, Equatable {
    /// Index entries whose files verified, in index order.
    public var files: [String]
    /// Each key and the position in `files` of the first file that holds it.
    public var keys: [DiagnosisKeyID: Int32]
    /// Files that could not be read or did not verify, with the reason.
    public var failedFiles: [FileProblem]
    /// SHA-256 (hex) of the index the set was read from.
    public var indexDigest: String?

    public init(files: [String] = [], keys: [DiagnosisKeyID: Int32] = [:], failedFiles: [FileProblem] = [], indexDigest: String? = nil) {
        self.files = files
        self.keys = keys
        self.failedFiles = failedFiles
        self.indexDigest = indexDigest
    }

    /// SHA-256 (hex) of the sorted 16-byte keys: equal sets have equal digests whatever files
    /// and metadata carried them.
    public var digest: String {
        var hash = SHA256()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 4096)
        for key in keys.keys.sorted() {
            buffer += key.bytes
            if buffer.count >= 16 * 4096 {
                hash.update(data: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        hash.update(data: buffer)
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Adds the keys of one verified file.
    mutating func add(file: String, keys fileKeys: [DiagnosisKeyID]) {
        let position = Int32(files.count)
        files.append(file)
        for key in fileKeys where keys[key] == nil { keys[key] = position }
    }
}
