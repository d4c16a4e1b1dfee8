import Foundation
import Synchronization

/// The in-memory twin of a blob store, for unit tests of logic.
public final class InMemoryBlobStore: BlobStore {
    private let objects = Mutex<[String: Data]>([:])

    public init() {}

    public func read(_ path: String) async throws -> Data {
        try BlobPath.validate(path)
        guard let data = objects.withLock({ $0[path] }) else { throw BlobStoreError.notFound(path: path) }
        return data
    }

    public func write(_ data: Data, to path: String) async throws {
        try BlobPath.validate(path)
        objects.withLock { $0[path] = data }
    }

    public func exists(_ path: String) async throws -> Bool {
        try BlobPath.validate(path)
        return objects.withLock { $0[path] != nil }
    }

    public func list(under prefix: String) async throws -> [String] {
        let folder = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        // Direct children only, as a folder listing gives.
        return objects.withLock { Array($0.keys) }
            .filter { $0.hasPrefix(folder) && !$0.dropFirst(folder.count).contains("/") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func delete(_ path: String) async throws {
        try BlobPath.validate(path)
        _ = objects.withLock { $0.removeValue(forKey: path) }
    }
}
