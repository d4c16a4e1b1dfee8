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

        public init(
            maxIndexBytes: Int = 1 << 20, maxFileBytes: Int = 20 << 20,
            indexTimeout: Duration = .seconds(30), fileTimeout: Duration = .seconds(120)
        ) {
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
    /// Which redirects are followed, and how many.
    public let redirects: RedirectRule
    private let client: HTTPClient

    /// The client every store shares unless given its own: redirects are never followed by
    /// the client (the shared default follows any, https → http on another host included);
    /// ``read(_:)`` follows them itself under its ``RedirectRule``. Like `HTTPClient.shared` it
    /// lives as long as the process and is never shut down: a store does not own it, and a
    /// client shut down under a store still reading would fail every read. A caller that
    /// passes its own client owns it and shuts it down.
    public static let noRedirectClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A store reading below `base` (a trailing `/` is added when missing). `client` must not
    /// follow redirects itself, or the rule cannot apply.
    public init(base: URL, limits: Limits = Limits(), redirects: RedirectRule = RedirectRule(), client: HTTPClient = noRedirectClient) {
        let text = base.absoluteString
        self.base = text.hasSuffix("/") ? base : URL(string: text + "/") ?? base
        self.limits = limits
        self.redirects = redirects
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

    /// Reads `path`, following redirects the rule allows. A failure after a redirect says where
    /// the file was sent (a 404 stays `notFound`: callers read it as "not published yet").
    private func fetch(_ path: String, limit: Int, timeout: Duration) async throws -> Data {
        let first = base.absoluteString + path
        var url = first
        for hop in 0... {
            do {
                switch try await fetchOnce(url, path: path, limit: limit, timeout: timeout) {
                case .content(let data): return data
                case .redirect(let location):
                    guard let current = URL(string: url), let target = URL(string: location, relativeTo: current)?.absoluteURL else {
                        throw BlobStoreError.redirectRefused(path: path, from: url, to: location, reason: "not a URL")
                    }
                    if let refusal = redirects.refusal(from: current, to: target) {
                        throw BlobStoreError.redirectRefused(path: path, from: url, to: target.absoluteString, reason: refusal)
                    }
                    guard hop < redirects.maxRedirects else {
                        throw BlobStoreError.redirectRefused(
                            path: path, from: url, to: target.absoluteString,
                            reason: "more than \(redirects.maxRedirects) redirects in a row")
                    }
                    url = target.absoluteString
                }
            } catch let error as BlobStoreError where url != first {
                switch error {
                case .notFound, .redirectRefused: throw error
                default: throw BlobStoreError.redirected(from: first, to: url, error)
                }
            }
        }
        throw CancellationError()
    }

    /// One request's answer: the body, or where a redirect points.
    private enum Answer {
        case content(Data)
        case redirect(String)
    }

    private func fetchOnce(_ url: String, path: String, limit: Int, timeout: Duration) async throws -> Answer {
        let request = HTTPClientRequest(url: url)
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
            switch response.status.code {
            case 200: break
            case 301, 302, 303, 307, 308:
                guard let location = response.headers.first(name: "location") else {
                    throw BlobStoreError.httpStatus(path: path, status: Int(response.status.code))
                }
                return .redirect(location)
            case 404, 410: throw BlobStoreError.notFound(path: path)
            default: throw BlobStoreError.httpStatus(path: path, status: Int(response.status.code))
            }
            if let declared = response.headers.first(name: "content-length").flatMap(Int.init), declared > limit {
                throw BlobStoreError.tooLarge(path: path, limit: limit)
            }
            var buffer = try await response.body.collect(upTo: limit)
            return .content(buffer.readData(length: buffer.readableBytes) ?? Data())
        } catch let error as BlobStoreError {
            throw error
        } catch is NIOTooManyBytesError {
            throw BlobStoreError.tooLarge(path: path, limit: limit)
        } catch let error as HTTPClientError
            where error == .deadlineExceeded || error == .readTimeout
            || error == .connectTimeout
        {
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

    /// The response headers of a `HEAD` for `path` (names lowercased), as phones get them:
    /// what a CDN says about caching and content type. `notFound` for a 404.
    public func headers(of path: String) async throws -> [String: String] {
        try BlobPath.validate(path)
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.method = .HEAD
        let response = try await client.execute(request, timeout: Self.timeAmount(limits.indexTimeout))
        switch response.status.code {
        case 200..<300:
            return Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { first, _ in first }
        case 404, 410: throw BlobStoreError.notFound(path: path)
        default: throw BlobStoreError.httpStatus(path: path, status: Int(response.status.code))
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
