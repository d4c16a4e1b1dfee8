import Foundation
import MigrationStoreContracts

/// What the mirror remembers between passes, a small JSON document in the journal (fenced by
/// the run lock, shared by replicas; ``WorkerDocument``): the digest of the client index it last published, so a rewrite by
/// anything else is noticed, and when the cut-over swap and any restore happened.
public struct MirrorState: Codable, Sendable, Equatable {
    /// SHA-256 (hex) of the client index as the mirror last wrote it.
    public var publishedDigest: String?
    /// The first swap: the cut-over.
    public var swappedAt: Date?
    /// Whether the state's previous client index was saved before the first swap.
    public var previousIndexSaved = false
    /// When `abort --restore-client-index` put the previous index back.
    public var restoredAt: Date?
    /// What phones fetched at the swap, by download algorithm.
    public var swapDownloads: PhoneDownloadSimulation?
    /// A client index write under way (intent, saved before the write): its digest, the time
    /// it began and what it does to phones. A crash after the write and before its commit
    /// leaves the index this names, which is ours; the next pass commits it.
    public var publishing: PendingPublish?
    /// Each staged copy's content version (``BlobStore/version(of:)``) when it was last read
    /// and verified: a steady pass reads again only copies whose version changed.
    public var verifiedCopies: [String: String]?
    /// When every staged copy was last read and verified, whatever its version said: damage
    /// at rest that leaves the version alone is caught on this schedule.
    public var fullVerificationAt: Date?

    /// The intent of one client index write.
    public struct PendingPublish: Codable, Sendable, Equatable {
        public var digest: String
        public var startedAt: Date
        public var downloads: PhoneDownloadSimulation?
    }

    /// Records `publishing` as done: the digest becomes the published one and a first swap
    /// gets its time (the moment the write began) and its downloads.
    public mutating func commitPublish(at time: Date? = nil) {
        guard let pending = publishing else { return }
        publishedDigest = pending.digest
        if swappedAt == nil {
            swappedAt = time ?? pending.startedAt
            swapDownloads = pending.downloads
        }
        restoredAt = nil
        publishing = nil
    }

    public init() {}

    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The state at `url`, or a fresh one when the file does not exist.
    public static func load(from url: URL) throws -> MirrorState {
        try load(from: .file(url))
    }

    /// The state in `document`, or a fresh one when it was never saved.
    public static func load(from document: WorkerDocument) throws -> MirrorState {
        guard let data = try document.load() else { return MirrorState() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try Self.timestamp.parse(text)
        }
        return try decoder.decode(MirrorState.self, from: data)
    }

    public func save(to url: URL) throws {
        try save(to: .file(url))
    }

    public func save(to document: WorkerDocument) throws {
        let encoder = JSONEncoder()
        // Milliseconds matter: the cut-over latency is measured from this time.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Self.timestamp))
        }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try document.save(try encoder.encode(self))
    }
}
