import Foundation

/// A place export files and index files live: a local folder now, a CDN or bucket later.
/// Paths are relative, `/`-separated object names (`exposureKeyExport-US/index.txt`).
public protocol BlobStore: Sendable {
    /// The object's bytes; `BlobStoreError.notFound` when it does not exist.
    func read(_ path: String) async throws -> Data
    /// Writes the object so readers see the old or the whole new content, never a part.
    func write(_ data: Data, to path: String) async throws
    /// Whether the object exists.
    func exists(_ path: String) async throws -> Bool
    /// Names of the objects directly in the folder `prefix` (not below it), sorted byte-wise.
    func list(under prefix: String) async throws -> [String]
    /// Removes the object; removing a missing one is not an error.
    func delete(_ path: String) async throws
}

/// Why a blob store refused or failed.
public enum BlobStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No object at that path.
    case notFound(path: String)
    /// A path that would leave the store's root (`..`, absolute, empty segments).
    case unsafePath(path: String)
    /// The underlying storage failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): not found"
        case .unsafePath(let path): "\(path): not a path inside the store (no `..`, no absolute paths, no empty segments)"
        case let .io(path, reason): "\(path): \(reason)"
        }
    }
}

enum BlobPath {
    /// Checks that `path` stays inside the root: relative, no `.`/`..`/empty segments.
    static func validate(_ path: String) throws(BlobStoreError) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0"),
              !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .unsafePath(path: path)
        }
    }
}
