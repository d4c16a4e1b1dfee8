import ExposureExport
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
    /// Writes the object only when `precondition` holds at the moment of the write: a
    /// conditional write (an S3 `If-Match`/`If-None-Match`, a GCS `ifGenerationMatch`), so a
    /// writer that raced this one is detected (``BlobStoreError/preconditionFailed(path:expected:)``)
    /// instead of overwritten. Stores without conditional writes check just before writing.
    func write(_ data: Data, to path: String, if precondition: BlobPrecondition) async throws
}

/// What must be true of an object for a conditional write to go ahead.
public enum BlobPrecondition: Sendable, Equatable, CustomStringConvertible {
    /// The object does not exist.
    case absent
    /// The object's ``BlobStore/version(of:)`` is this one.
    case version(String)

    public var description: String {
        switch self {
        case .absent: "absent"
        case .version(let version): version
        }
    }
}

extension BlobStore {
    /// Stores without a cheap identity say nil, without a request: callers read and hash.
    public func version(of path: String) async throws -> String? { nil }

    /// Checks the precondition, then writes: not atomic (another writer can slip in between),
    /// which is as good as a store without conditional writes can do.
    public func write(_ data: Data, to path: String, if precondition: BlobPrecondition) async throws {
        try await BlobPrecondition.check(precondition, of: path, in: self)
        try await write(data, to: path)
    }
}

extension BlobStore {
    /// What a conditional write compares: ``version(of:)``, or `sha256:<digest>` of the content
    /// for a store that cannot tell cheaply; nil when the object does not exist.
    public func currentVersion(of path: String) async throws -> String? {
        do {
            if let version = try await version(of: path) { return version }
            return "sha256:" + (try await read(path)).sha256Hex
        } catch BlobStoreError.notFound {
            return nil
        }
    }
}

extension BlobPrecondition {
    /// The precondition that `path` is still as `version` (from ``BlobStore/currentVersion(of:)``) found it.
    public static func still(_ version: String?) -> BlobPrecondition {
        version.map(BlobPrecondition.version) ?? .absent
    }

    /// Throws ``BlobStoreError/preconditionFailed(path:expected:)`` unless `precondition`
    /// holds for `path` now.
    public static func check(_ precondition: BlobPrecondition, of path: String, in store: some BlobStore) async throws {
        let current = try await store.currentVersion(of: path)
        switch precondition {
        case .absent where current != nil, .version where current == nil:
            throw BlobStoreError.preconditionFailed(path: path, expected: precondition.description)
        case .version(let expected) where expected != current:
            throw BlobStoreError.preconditionFailed(path: path, expected: expected)
        default: return
        }
    }
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
    /// A conditional write refused: the object is not the version the writer expected
    /// (someone else wrote it in between).
    case preconditionFailed(path: String, expected: String)
    /// The bucket refused the request (HTTP 401/403): the credentials, or their permissions.
    case accessDenied(path: String, reason: String)

    /// Whether trying again later may succeed: timeouts, dropped connections, 5xx, 408 and 429,
    /// and 404 (a CDN may list a file before it serves it). Everything else is permanent.
    public var isTransient: Bool {
        switch self {
        case .notFound, .timedOut, .unreachable: true
        case .httpStatus(_, let status): status >= 500 || status == 408 || status == 429
        case .redirected(_, _, let cause): cause.isTransient
        case .unsafePath, .io, .readOnly, .tooLarge, .redirectRefused, .outsideRoot, .preconditionFailed, .accessDenied: false
        }
    }

    /// The object the error is about.
    public var path: String {
        switch self {
        case .notFound(let path), .unsafePath(let path), .readOnly(let path): path
        case .io(let path, _), .tooLarge(let path, _), .httpStatus(let path, _), .timedOut(let path, _), .unreachable(let path, _): path
        case .redirectRefused(let path, _, _, _), .outsideRoot(let path, _, _): path
        case .preconditionFailed(let path, _), .accessDenied(let path, _): path
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
        case let .preconditionFailed(path, expected):
            "\(path): changed by another writer (expected \(expected == "absent" ? "no object" : "version \(expected)")); not overwritten"
        case let .accessDenied(path, reason): "\(path): access denied: \(reason)"
        }
    }
}

package enum BlobPath {
    /// Checks that `path` stays inside the root: relative, no `.`/`..`/empty segments.
    package static func validate(_ path: String) throws(BlobStoreError) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0"),
            !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else {
            throw .unsafePath(path: path)
        }
    }
}
