import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// A blob store on an S3 bucket (`s3://BUCKET/PREFIX`) or an S3-compatible server (MinIO,
/// Ceph, GCS's XML interoperability endpoint), over the REST API signed with SigV4.
///
/// Every object is written with `Content-Type` and `Cache-Control` from ``PublishHeaders`` and
/// `Content-MD5`, so the bucket refuses a body damaged on the way; a conditional write sends
/// `If-Match: <ETag>` or `If-None-Match: *`, which S3 checks atomically. Versions are ETags.
public struct S3BlobStore: BlobStore {
    /// Where and how to reach the bucket.
    public struct Endpoint: Sendable {
        /// The service URL (`https://s3.REGION.amazonaws.com` unless the plan names another).
        public var url: URL
        /// `https://host/BUCKET/KEY` rather than `https://BUCKET.host/KEY` (MinIO, Ceph,
        /// loopback servers, bucket names with dots).
        public var pathStyle: Bool

        public init(url: URL, pathStyle: Bool) {
            self.url = url
            self.pathStyle = pathStyle
        }

        /// AWS's own endpoint for the region, virtual-hosted.
        public static func aws(region: String) -> Endpoint {
            Endpoint(url: URL(string: "https://s3.\(region).amazonaws.com")!, pathStyle: false)
        }
    }

    public let address: BucketAddress
    public let endpoint: Endpoint
    public let signer: SigV4Signer
    public let headers: PublishHeaders
    let http: CloudHTTP
    /// Largest object read (the export file limit).
    let maxObjectBytes: Int

    public init(
        address: BucketAddress, endpoint: Endpoint, signer: SigV4Signer, headers: PublishHeaders = PublishHeaders(),
        maxObjectBytes: Int = 20 << 20, timeout: Duration = .seconds(120)
    ) {
        self.address = address
        self.endpoint = endpoint
        self.signer = signer
        self.headers = headers
        self.maxObjectBytes = maxObjectBytes
        self.http = CloudHTTP(timeout: timeout)
    }

    // MARK: BlobStore

    public func read(_ path: String) async throws -> Data {
        try BlobPath.validate(path)
        let response = try await send("GET", path: path, key: address.objectName(path))
        try check(response, path: path)
        return response.body
    }

    public func write(_ data: Data, to path: String) async throws {
        try await put(data, to: path, condition: nil)
    }

    public func write(_ data: Data, to path: String, if precondition: BlobPrecondition) async throws {
        try await put(data, to: path, condition: precondition)
    }

    public func exists(_ path: String) async throws -> Bool {
        do {
            _ = try await version(of: path)
            return true
        } catch BlobStoreError.notFound {
            return false
        }
    }

    /// `s3:<ETag>` from a HEAD request; S3's ETag changes whenever the object is rewritten
    /// with other content.
    public func version(of path: String) async throws -> String? {
        try BlobPath.validate(path)
        let response = try await send("HEAD", path: path, key: address.objectName(path))
        try check(response, path: path)
        return response.headers.first(name: "etag").map { "s3:" + $0 }
    }

    public func list(under prefix: String) async throws -> [String] {
        let folder = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        let bucketPrefix = address.prefix.isEmpty ? "" : address.prefix + "/"
        let listed = bucketPrefix + folder
        var names: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("delimiter", "/")]
            if !listed.isEmpty { query.append(("prefix", listed)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", path: prefix, key: nil, query: query, limit: 16 << 20)
            try check(response, path: prefix)
            let page = S3ListPage(xml: response.body)
            names += page.keys.compactMap { key in key.hasPrefix(bucketPrefix) ? String(key.dropFirst(bucketPrefix.count)) : nil }
            token = page.nextToken
        } while token != nil
        return names.filter { !$0.hasSuffix("/") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func delete(_ path: String) async throws {
        try BlobPath.validate(path)
        let response = try await send("DELETE", path: path, key: address.objectName(path))
        if response.status == 404 { return }
        try check(response, path: path)
    }

    // MARK: Requests

    private func put(_ data: Data, to path: String, condition: BlobPrecondition?) async throws {
        try BlobPath.validate(path)
        var extra: [(String, String)] = [
            ("Content-Type", headers.contentType(path)), ("Cache-Control", headers.cacheControl(path)),
            ("Content-MD5", Data(Insecure.MD5.hash(data: data)).base64EncodedString()),
        ]
        switch condition {
        case .none: break
        case .absent: extra.append(("If-None-Match", "*"))
        case .version(let version):
            guard version.hasPrefix("s3:") else { throw BlobStoreError.preconditionFailed(path: path, expected: version) }
            extra.append(("If-Match", String(version.dropFirst(3))))
        }
        let (response, attempts) = try await sendCounting("PUT", path: path, key: address.objectName(path), headers: extra, body: data)
        if response.status == 412 || (response.status == 404 && condition != nil) {
            // A retry after a lost answer meets our own first write: the content tells.
            if attempts > 1, (try? await read(path)) == data { return }
            throw BlobStoreError.preconditionFailed(path: path, expected: condition?.description ?? "")
        }
        try check(response, path: path)
    }

    func send(
        _ method: String, path: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: Data = Data(), limit: Int? = nil
    ) async throws -> CloudHTTP.Response {
        try await sendCounting(method, path: path, key: key, query: query, headers: headers, body: body, limit: limit).response
    }

    private func sendCounting(
        _ method: String, path: String, key: String?, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        body: Data = Data(), limit: Int? = nil
    ) async throws -> (response: CloudHTTP.Response, attempts: Int) {
        let (host, requestPath) = target(key: key)
        let payloadHash = body.isEmpty ? SigV4Signer.emptyPayloadHash : SHA256.hash(data: body).hex
        let queryText = SigV4Signer.canonicalQuery(query)
        let url = "\(endpoint.url.scheme ?? "https")://\(host)\(requestPath)" + (queryText.isEmpty ? "" : "?" + queryText)
        let signer = self.signer
        return try await http.send(path: path, limit: limit ?? maxObjectBytes) {
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            var headers = [("Host", host)] + extra
            if !body.isEmpty || method == "PUT" { headers.append(("Content-Length", String(body.count))) }
            headers += signer.signedHeaders(
                method: method, path: requestPath, query: query, headers: headers,
                payloadHash: payloadHash, date: Date())
            for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
            if method == "PUT" { request.body = .bytes(ByteBuffer(bytes: body)) }
            return request
        }
    }

    /// The host (with its port when not the default) and the percent-encoded path of a request.
    private func target(key: String?) -> (host: String, path: String) {
        let base = endpoint.url
        let port = base.port.map { ":\($0)" } ?? ""
        let basePath = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
        let encodedKey = key.map { "/" + SigV4Signer.uriEncode($0, slash: false) } ?? "/"
        if endpoint.pathStyle {
            return ((base.host ?? "") + port, basePath + "/" + address.bucket + (key == nil ? "" : encodedKey))
        }
        return (address.bucket + "." + (base.host ?? "") + port, basePath + encodedKey)
    }

    /// Throws the blob-store error for a non-2xx answer, naming S3's own error code.
    func check(_ response: CloudHTTP.Response, path: String) throws {
        switch response.status {
        case 200...299: return
        case 404: throw BlobStoreError.notFound(path: path)
        case 412: throw BlobStoreError.preconditionFailed(path: path, expected: "")
        case 401, 403:
            let error = S3ErrorBody(xml: response.body)
            throw BlobStoreError.accessDenied(
                path: path,
                reason: "\(error.code ?? "HTTP \(response.status)") from \(address)"
                    + (error.message.map { ": \($0)" } ?? "") + " (signed with \(signer.credentials), region \(signer.region))")
        default:
            let error = S3ErrorBody(xml: response.body)
            if let code = error.code {
                throw BlobStoreError.io(path: path, reason: "S3 answered HTTP \(response.status) \(code)" + (error.message.map { ": \($0)" } ?? ""))
            }
            throw BlobStoreError.httpStatus(path: path, status: response.status)
        }
    }
}

extension S3BlobStore {
    /// Creates the bucket unless it exists (for rehearsals and tests against a loopback server;
    /// a migration never creates buckets).
    public func createBucketIfMissing() async throws {
        let response = try await send("PUT", path: address.bucket, key: nil)
        guard (200...299).contains(response.status) || response.status == 409 else {
            throw BlobStoreError.httpStatus(path: address.bucket, status: response.status)
        }
    }
}

extension S3BlobStore {
    /// The `Content-Type` and `Cache-Control` stored with the object (a HEAD request).
    public func storedHeaders(of path: String) async throws -> StoredHeaders {
        try BlobPath.validate(path)
        let response = try await send("HEAD", path: path, key: address.objectName(path))
        try check(response, path: path)
        return StoredHeaders(contentType: response.headers.first(name: "content-type"), cacheControl: response.headers.first(name: "cache-control"))
    }
}
