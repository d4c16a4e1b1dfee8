import AsyncHTTPClient
import Foundation
import NIOCore

/// A read-only blob store on an `https://` (or loopback `http://`) location: the state's CDN or
/// a bucket's public URL. Every read has a deadline and a size limit, and only HTTP 200 counts as
/// content, so an error page is never parsed as an index or an export file.
public struct HTTPBlobStore: BlobStore {
    /// Time and size limits; the defaults are the reference importer's and mirror's.
    public struct Limits: Sendable {
        /// Largest `index.txt` accepted (1 MiB).
        public var maxIndexBytes: Int
        /// Largest other object accepted (20 MiB, the export file limit).
        public var maxFileBytes: Int
        /// Deadline for an index (30 s).
        public var indexTimeout: Duration
        /// Deadline for another object (2 min).
        public var fileTimeout: Duration

        public init(maxIndexBytes: Int = 1 << 20, maxFileBytes: Int = 20 << 20,
                    indexTimeout: Duration = .seconds(30), fileTimeout: Duration = .seconds(120)) {
            self.maxIndexBytes = maxIndexBytes
            self.maxFileBytes = maxFileBytes
            self.indexTimeout = indexTimeout
            self.fileTimeout = fileTimeout
        }
    }

    /// The folder URL objects are resolved against; always ends with `/`.
    public let base: URL
    /// Time and size limits.
    public let limits: Limits
    private let client: HTTPClient

    /// A store reading below `base` (a trailing `/` is added when missing).
    public init(base: URL, limits: Limits = Limits(), client: HTTPClient = .shared) {
        let text = base.absoluteString
        self.base = text.hasSuffix("/") ? base : URL(string: text + "/") ?? base
        self.limits = limits
        self.client = client
    }

    public func read(_ path: String) async throws -> Data {
        try BlobPath.validate(path)
        let isIndex = path.hasSuffix(".txt")
        let limit = isIndex ? limits.maxIndexBytes : limits.maxFileBytes
        let timeout = isIndex ? limits.indexTimeout : limits.fileTimeout
        // The client's own timeout ends when the response head arrives; a server that then
        // drips the body a few bytes at a time would hold the read for as long as it likes.
        // The whole read, body included, races the timeout instead.
        return try await withThrowingTaskGroup(of: Data.self) { group in
            group.addTask { try await fetch(path, limit: limit, timeout: timeout) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw BlobStoreError.timedOut(path: path, after: timeout)
            }
            defer { group.cancelAll() }
            guard let data = try await group.next() else { throw CancellationError() }
            return data
        }
    }

    private func fetch(_ path: String, limit: Int, timeout: Duration) async throws -> Data {
        let request = HTTPClientRequest(url: base.absoluteString + path)
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
            switch response.status.code {
            case 200: break
            case 404, 410: throw BlobStoreError.notFound(path: path)
            default: throw BlobStoreError.httpStatus(path: path, status: Int(response.status.code))
            }
            if let declared = response.headers.first(name: "content-length").flatMap(Int.init), declared > limit {
                throw BlobStoreError.tooLarge(path: path, limit: limit)
            }
            var buffer = try await response.body.collect(upTo: limit)
            return buffer.readData(length: buffer.readableBytes) ?? Data()
        } catch let error as BlobStoreError {
            throw error
        } catch is NIOTooManyBytesError {
            throw BlobStoreError.tooLarge(path: path, limit: limit)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout
            || error == .connectTimeout {
            throw BlobStoreError.timedOut(path: path, after: timeout)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw BlobStoreError.unreachable(path: path, reason: "\(error)")
        }
    }

    public func write(_ data: Data, to path: String) async throws {
        throw BlobStoreError.readOnly(path: path)
    }

    public func exists(_ path: String) async throws -> Bool {
        do {
            _ = try await read(path)
            return true
        } catch BlobStoreError.notFound {
            return false
        }
    }

    /// The object's `ETag` from a `HEAD` request (CDNs and buckets send one that changes with
    /// the content): `etag:<tag>`. Nil when the server sends none or the request fails, so the
    /// caller reads the object (with its retries) instead; `notFound` for a 404.
    public func version(of path: String) async throws -> String? {
        try BlobPath.validate(path)
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.method = .HEAD
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: Self.timeAmount(limits.indexTimeout))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return nil
        }
        switch response.status.code {
        case 200: return response.headers.first(name: "etag").map { "etag:\($0)" }
        case 404, 410: throw BlobStoreError.notFound(path: path)
        default: return nil
        }
    }

    /// A CDN cannot list its folders; feeds are read through their index.
    public func list(under prefix: String) async throws -> [String] {
        throw BlobStoreError.io(path: prefix, reason: "an HTTP location cannot be listed; read its index.txt")
    }

    public func delete(_ path: String) async throws {
        throw BlobStoreError.readOnly(path: path)
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension ByteBuffer {
    fileprivate mutating func readData(length: Int) -> Data? {
        readBytes(length: length).map { Data($0) }
    }
}
