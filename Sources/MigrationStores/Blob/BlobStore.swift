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
    /// A cheap identity of the object's current content that changes whenever the object is
    /// replaced or rewritten (a local file's inode, size and modification time; an ETag), or
    /// nil when the store cannot tell without reading it (callers then read and hash it).
    /// A store that can tell throws `notFound` when the object is missing.
    func version(of path: String) async throws -> String?
}

extension BlobStore {
    /// Stores without a cheap identity say nil, without a request: callers read and hash.
    public func version(of path: String) async throws -> String? { nil }
}

/// Why a blob store refused or failed.
public enum BlobStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No object at that path.
    case notFound(path: String)
    /// A path that would leave the store's root (`..`, absolute, empty segments).
    case unsafePath(path: String)
    /// The underlying storage failed.
    case io(path: String, reason: String)
    /// The store cannot be written (an `https://` feed is read-only for enmigrate).
    case readOnly(path: String)
    /// The object is larger than the limit for its kind.
    case tooLarge(path: String, limit: Int)
    /// The server answered with a status other than 200 (404 is `notFound`).
    case httpStatus(path: String, status: Int)
    /// No complete answer within the time limit.
    case timedOut(path: String, after: Duration)
    /// The server could not be reached or dropped the connection.
    case unreachable(path: String, reason: String)
    /// The server redirected the read where ``RedirectRule`` does not follow (or too often).
    case redirectRefused(path: String, from: String, to: String, reason: String)
    /// The read failed after the server redirected it: the failure, and where the file came from.
    indirect case redirected(from: String, to: String, BlobStoreError)
    /// A local path that resolves (through a symbolic link) outside the store's root.
    case outsideRoot(path: String, resolved: String, root: String)

    /// Whether trying again later may succeed: timeouts, dropped connections, 5xx, 408 and 429,
    /// and 404 (a CDN may list a file before it serves it). Everything else is permanent.
    public var isTransient: Bool {
        switch self {
        case .notFound, .timedOut, .unreachable: true
        case .httpStatus(_, let status): status >= 500 || status == 408 || status == 429
        case .redirected(_, _, let cause): cause.isTransient
        case .unsafePath, .io, .readOnly, .tooLarge, .redirectRefused, .outsideRoot: false
        }
    }

    /// The object the error is about.
    public var path: String {
        switch self {
        case .notFound(let path), .unsafePath(let path), .readOnly(let path): path
        case .io(let path, _), .tooLarge(let path, _), .httpStatus(let path, _), .timedOut(let path, _), .unreachable(let path, _): path
        case .redirectRefused(let path, _, _, _), .outsideRoot(let path, _, _): path
        case .redirected(_, _, let cause): cause.path
        }
    }

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): not found"
        case .unsafePath(let path): "\(path): not a path inside the store (no `..`, no absolute paths, no empty segments)"
        case let .io(path, reason): "\(path): \(reason)"
        case .readOnly(let path): "\(path): this location is read-only for enmigrate"
        case let .tooLarge(path, limit): "\(path): larger than the limit of \(limit) bytes"
        case let .httpStatus(path, status): "\(path): the server answered HTTP \(status)"
        case let .timedOut(path, after): "\(path): no complete answer within \(after)"
        case let .unreachable(path, reason): "\(path): \(reason)"
        case let .redirectRefused(path, from, to, reason): "\(path): redirect from \(from) to \(to) not followed: \(reason)"
        case let .redirected(from, to, cause): "\(cause) (redirected from \(from) to \(to))"
        case let .outsideRoot(path, resolved, root):
            "\(path): resolves to \(resolved) through a symbolic link, outside the location's folder \(root); refused (enmigrate never follows a link out of a location)"
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
