import Crypto
import Foundation

/// The keys a phone obtains from a feed: every key of every file that verifies, by key bytes,
/// with the file it first appeared in and when it stops mattering to phones; the files that
/// were read whole and rejected (phones reject them too: listed, never counted as missing);
/// and the files that could not be read at all (unknown content: the proof is inconclusive).
public struct FeedKeySet: Sendable, Equatable {
    /// Where a key came from and until when phones can use it.
    public struct Origin: Sendable, Equatable {
        /// Position in ``FeedKeySet/files`` of the first file that holds the key.
        public var file: Int32
        /// The key's rolling start interval number plus its rolling period (10-minute
        /// intervals since 1970): the key stops being broadcast then, and phones stop matching
        /// it ``FeedKeySet/phoneRetention`` later. `Int32.max` when unknown.
        public var endInterval: Int32
        /// The report type the key was published with (the format's number; 0 when absent).
        public var reportType: UInt8

        public init(file: Int32, endInterval: Int32 = .max, reportType: UInt8 = 0) {
            self.file = file
            self.endInterval = endInterval
            self.reportType = reportType
        }
    }

    /// A revision a feed publishes for a key (`revised_keys`): the report type it revises the
    /// key to and the file that carries it.
    public struct Revision: Sendable, Equatable {
        public var reportType: UInt8
        public var file: Int32

        public init(reportType: UInt8, file: Int32) {
            self.reportType = reportType
            self.file = file
        }
    }

    /// Report types of revisions the reference importer applies (CONFIRMED_TEST, REVOKED): the
    /// ones a national feed must carry; others are dropped by every importer.
    public static let revisionsOwed: Set<UInt8> = [1, 5]

    /// How long after a key's rolling period ends phones still match it: the 14 days of the
    /// Exposure Notifications framework. After that a feed may drop it without loss.
    public static let phoneRetention: TimeInterval = 14 * 86_400

    /// Index entries whose files verified, in index order.
    public var files: [String]
    /// Each key and where it came from.
    public var keys: [DiagnosisKeyID: Origin]
    /// Files read whole that a phone rejects (bad signature, another key, malformed zip or
    /// protobuf), with the reason.
    public var rejectedFiles: [FileProblem]
    /// Files listed in the index that could not be read (HTTP errors and timeouts after the
    /// retries, a listed file that is missing, a body cut short, a file that changed while it
    /// was read): what they hold is unknown, so no proof over this set can hold.
    public var unavailableFiles: [FileProblem]
    /// Revisions by key, the newest in index order.
    public var revisions: [DiagnosisKeyID: Revision] = [:]
    /// Keys published as revoked (report type 5) in verified files: phones never use them, so
    /// they are owed to no feed; in the other feed, one carries a revocation.
    public var revokedKeys: Set<DiagnosisKeyID> = []
    /// Keys in verified files that are not 16 bytes, by file position: no phone and no
    /// importer can use them, so they count as missing until a loss is accepted.
    public var malformedKeys: [Int32: Int]
    /// What identified each file's content when it was read (``BlobStore/version(of:)`` or
    /// `sha256:<digest>`), for verified and rejected files alike: a proof stands only while
    /// every file is still the one it read.
    public var fileVersions: [String: String]
    /// SHA-256 (hex) of the index the set was read from.
    public var indexDigest: String?
    /// Rejected files that verify with the reader's foreign key (``PhoneFeedReader/foreignKey``):
    /// in the state's client feed, national files, so that feed is already swapped.
    public var filesSignedWithForeignKey: [String] = []

    public init(
        files: [String] = [], keys: [DiagnosisKeyID: Origin] = [:], rejectedFiles: [FileProblem] = [],
        unavailableFiles: [FileProblem] = [], malformedKeys: [Int32: Int] = [:], fileVersions: [String: String] = [:],
        indexDigest: String? = nil
    ) {
        self.files = files
        self.keys = keys
        self.rejectedFiles = rejectedFiles
        self.unavailableFiles = unavailableFiles
        self.malformedKeys = malformedKeys
        self.fileVersions = fileVersions
        self.indexDigest = indexDigest
    }

    /// SHA-256 (hex) of the sorted 16-byte keys: equal sets have equal digests whatever files
    /// and metadata carried them.
    public var digest: String { Self.digest(of: keys.keys) }

    /// SHA-256 (hex) of `keys` sorted.
    static func digest(of keys: some Collection<DiagnosisKeyID>) -> String {
        var hash = SHA256()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 4096)
        for key in keys.sorted() {
            key.append(to: &buffer)
            if buffer.count >= 16 * 4096 {
                hash.update(data: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        hash.update(data: buffer)
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Adds the keys of one verified file.
    mutating func add(file: String, keys fileKeys: [FileKey], revised: [(id: DiagnosisKeyID, reportType: UInt8)], malformed: Int, version: String) {
        let position = Int32(files.count)
        files.append(file)
        fileVersions[file] = version
        if malformed > 0 { malformedKeys[position] = malformed }
        for key in fileKeys where keys[key.id] == nil {
            if key.reportType == 5 {
                revokedKeys.insert(key.id)
                continue
            }
            keys[key.id] = Origin(file: position, endInterval: key.endInterval, reportType: key.reportType)
        }
        for revision in revised { revisions[revision.id] = Revision(reportType: revision.reportType, file: position) }
    }

    /// One primary key of a verified file.
    struct FileKey: Sendable {
        let id: DiagnosisKeyID
        let endInterval: Int32
        let reportType: UInt8
    }

    /// Whether this feed carries `revision` for `key`: as a revised key of the same report type,
    /// or as the key itself published with that report type (revised before its first export).
    func carries(_ revision: Revision, for key: DiagnosisKeyID) -> Bool {
        revisions[key]?.reportType == revision.reportType || keys[key]?.reportType == revision.reportType
            || (revision.reportType == 5 && revokedKeys.contains(key))
    }

    /// Whether phones at `now` can still match a key that came with this origin.
    static func stillOwed(_ origin: Origin, at now: Date) -> Bool {
        origin.endInterval == .max || TimeInterval(origin.endInterval) * 600 + phoneRetention > now.timeIntervalSince1970
    }
}
