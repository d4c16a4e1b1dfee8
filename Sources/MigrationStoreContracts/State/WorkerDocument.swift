import Foundation
import MigrationEngine

/// One piece of a worker's durable state (the mirror's state: the client index it published,
/// the swap and restore times), kept as a JSON document. `apply` keeps it in the journal, where
/// it is fenced like a record and shared by replicas with the run; tests and tools may keep it
/// in a file.
public struct WorkerDocument: Sendable {
    private let loadBody: @Sendable () throws -> Data?
    private let saveBody: @Sendable (Data) throws -> Void

    public init(load: @escaping @Sendable () throws -> Data?, save: @escaping @Sendable (Data) throws -> Void) {
        loadBody = load
        saveBody = save
    }

    /// The document's bytes, nil when it was never saved.
    public func load() throws -> Data? { try loadBody() }

    /// Replaces the document.
    public func save(_ data: Data) throws { try saveBody(data) }

    /// A file, written atomically and durably (the file and its folder fsynced).
    public static func file(_ url: URL) -> WorkerDocument {
        WorkerDocument(
            load: { FileManager.default.fileExists(atPath: url.path) ? try Data(contentsOf: url) : nil },
            save: { try DurableFile.write($0, to: url) })
    }

    /// The document `name` in the journal: read from the journal this process holds the run
    /// lock on (or, when it holds none, the one `open` returns: a read-only look), saved only
    /// under the run lock and fenced in the same transaction, so a process that lost the run
    /// cannot change it. `legacyFile` is where an older enmigrate kept it: read while the
    /// journal has no document yet, and renamed to `….imported` once the journal has one (the
    /// named migration `worker-document-import`).
    public static func journal(
        _ name: String, lease: HeldLease, open: @escaping @Sendable () throws -> Journal?, legacyFile: URL? = nil
    ) -> WorkerDocument {
        WorkerDocument(
            load: {
                if let data = try (lease.journal ?? open())?.document(name) { return data }
                guard let legacyFile, FileManager.default.fileExists(atPath: legacyFile.path) else { return nil }
                return try Data(contentsOf: legacyFile)
            },
            save: { data in
                try lease.saveDocument(name, data)
                if let legacyFile, FileManager.default.fileExists(atPath: legacyFile.path) {
                    let imported = legacyFile.appendingPathExtension("imported")
                    try? FileManager.default.removeItem(at: imported)
                    try FileManager.default.moveItem(at: legacyFile, to: imported)
                }
            })
    }
}
