import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// A blob store on a Google Cloud Storage bucket (`gs://BUCKET/PREFIX`), over the JSON API.
///
/// Objects are uploaded in one multipart request carrying `contentType`, `cacheControl` and
/// `md5Hash` (GCS refuses a body that does not match); a conditional write sends
/// `ifGenerationMatch` (the object's generation, or 0 for "does not exist"), which GCS checks
/// atomically. Versions are generations. Authorised with a service account's token, or not at
/// all against an emulator (`STORAGE_EMULATOR_HOST`).
public struct GCSBlobStore: BlobStore {
    public let address: BucketAddress
    /// `https://storage.googleapis.com`, or the emulator's URL.
    public let endpoint: URL
    /// Nil against an emulator that needs no token.
    public let account: GCSServiceAccount?
    public let headers: PublishHeaders
    let http: CloudHTTP
    let maxObjectBytes: Int

    /// The public endpoint.
    public static let googleEndpoint = URL(string: "https://storage.googleapis.com")!

    public init(
        address: BucketAddress, endpoint: URL = googleEndpoint, account: GCSServiceAccount?, headers: PublishHeaders = PublishHeaders(),
        maxObjectBytes: Int = 20 << 20, timeout: Duration = .seconds(120)
    ) {
        self.address = address
        self.endpoint = endpoint
        self.account = account
        self.headers = headers
        self.maxObjectBytes = maxObjectBytes
        self.http = CloudHTTP(timeout: timeout)
    }

    /// `STORAGE_EMULATOR_HOST` (`host:port` or a URL) as an endpoint URL.
    public static func emulatorEndpoint(_ value: String) -> URL? {
        URL(string: value.contains("://") ? value : "http://" + value)
    }

    var base: String {
        let text = endpoint.absoluteString
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    func objectURL(_ path: String, query: String) -> String {
        "\(base)/storage/v1/b/\(address.bucket)/o/\(SigV4Signer.uriEncode(address.objectName(path), slash: true))" + (query.isEmpty ? "" : "?" + query)
    }

    // MARK: BlobStore

    public func read(_ path: String) async throws -> Data {
        try BlobPath.validate(path)
        let response = try await send(.GET, objectURL(path, query: "alt=media"), path: path)
        try check(response, path: path)
        return response.body
    }

    public func write(_ data: Data, to path: String) async throws {
        try await upload(data, to: path, condition: nil)
    }

    public func write(_ data: Data, to path: String, if precondition: BlobPrecondition) async throws {
        try await upload(data, to: path, condition: precondition)
    }

    public func exists(_ path: String) async throws -> Bool {
        do {
            _ = try await version(of: path)
            return true
        } catch BlobStoreError.notFound {
            return false
        }
    }

    /// `gcs:<generation>`: a new generation each time the object is written.
    public func version(of path: String) async throws -> String? {
        try BlobPath.validate(path)
        let response = try await send(.GET, objectURL(path, query: "fields=generation"), path: path)
        try check(response, path: path)
        let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (object?["generation"] as? String).map { "gcs:" + $0 }
    }

    public func list(under prefix: String) async throws -> [String] {
        let folder = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        let bucketPrefix = address.prefix.isEmpty ? "" : address.prefix + "/"
        var names: [String] = []
        var token: String?
        repeat {
            var query = "delimiter=%2F&prefix=" + SigV4Signer.uriEncode(bucketPrefix + folder, slash: true)
            if let token { query += "&pageToken=" + SigV4Signer.uriEncode(token, slash: true) }
            let response = try await send(.GET, "\(base)/storage/v1/b/\(address.bucket)/o?\(query)", path: prefix, limit: 16 << 20)
            try check(response, path: prefix)
            let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            for item in object?["items"] as? [[String: Any]] ?? [] {
                if let name = item["name"] as? String, name.hasPrefix(bucketPrefix) { names.append(String(name.dropFirst(bucketPrefix.count))) }
            }
            token = object?["nextPageToken"] as? String
        } while token != nil
        return names.filter { !$0.hasSuffix("/") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func delete(_ path: String) async throws {
        try BlobPath.validate(path)
        let response = try await send(.DELETE, objectURL(path, query: ""), path: path)
        if response.status == 404 { return }
        try check(response, path: path)
    }

    // MARK: Requests

    private func upload(_ data: Data, to path: String, condition: BlobPrecondition?) async throws {
        try BlobPath.validate(path)
        var query = "uploadType=multipart"
        switch condition {
        case .none: break
        case .absent: query += "&ifGenerationMatch=0"
        case .version(let version):
            guard version.hasPrefix("gcs:") else { throw BlobStoreError.preconditionFailed(path: path, expected: version) }
            query += "&ifGenerationMatch=" + version.dropFirst(4)
        }
        let metadata: [String: String] = [
            "name": address.objectName(path), "contentType": headers.contentType(path), "cacheControl": headers.cacheControl(path),
            "md5Hash": Data(Insecure.MD5.hash(data: data)).base64EncodedString(),
        ]
        let boundary = "enmigrate-" + UUID().uuidString
        var body = Data("--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".utf8)
        body += try JSONSerialization.data(withJSONObject: metadata, options: .sortedKeys)
        body += Data("\r\n--\(boundary)\r\nContent-Type: \(headers.contentType(path))\r\n\r\n".utf8)
        body += data
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        let (response, attempts) = try await sendCounting(
            .POST, "\(base)/upload/storage/v1/b/\(address.bucket)/o?\(query)", path: path,
            contentType: "multipart/related; boundary=\(boundary)", body: body)
        if response.status == 412 {
            // A retry after a lost answer meets our own first write: the content tells.
            if attempts > 1, (try? await read(path)) == data { return }
            throw BlobStoreError.preconditionFailed(path: path, expected: condition?.description ?? "")
        }
        try check(response, path: path)
    }

    func send(_ method: HTTPMethod, _ url: String, path: String, limit: Int? = nil) async throws -> CloudHTTP.Response {
        try await sendCounting(method, url, path: path, limit: limit).response
    }

    func sendCounting(
        _ method: HTTPMethod, _ url: String, path: String, contentType: String? = nil, body: Data = Data(),
        limit: Int? = nil
    ) async throws -> (response: CloudHTTP.Response, attempts: Int) {
        let account = self.account, http = self.http
        return try await http.send(path: path, limit: limit ?? maxObjectBytes) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let account { request.headers.add(name: "Authorization", value: "Bearer " + (try await account.token(http: http))) }
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            if method == .POST {
                request.headers.add(name: "Content-Length", value: String(body.count))
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            return request
        }
    }

    /// Throws the blob-store error for a non-2xx answer, with GCS's own message.
    func check(_ response: CloudHTTP.Response, path: String) throws {
        let message = { () -> String? in
            let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            return (object?["error"] as? [String: Any])?["message"] as? String
        }
        switch response.status {
        case 200...299: return
        case 404: throw BlobStoreError.notFound(path: path)
        case 412: throw BlobStoreError.preconditionFailed(path: path, expected: "")
        case 401, 403:
            throw BlobStoreError.accessDenied(
                path: path,
                reason: "HTTP \(response.status) from \(address)" + (message().map { ": \($0)" } ?? "")
                    + (account.map { " (service account \($0.clientEmail))" } ?? " (no credentials)"))
        default:
            if let text = message() { throw BlobStoreError.io(path: path, reason: "GCS answered HTTP \(response.status): \(text)") }
            throw BlobStoreError.httpStatus(path: path, status: response.status)
        }
    }
}

extension GCSBlobStore {
    /// Creates the bucket unless it exists (for rehearsals and tests against an emulator; a
    /// migration never creates buckets).
    public func createBucketIfMissing(project: String = "enmigrate") async throws {
        let body = try JSONSerialization.data(withJSONObject: ["name": address.bucket])
        let (response, _) = try await sendCounting(
            .POST, "\(base)/storage/v1/b?project=\(project)", path: address.bucket,
            contentType: "application/json", body: body)
        guard (200...299).contains(response.status) || response.status == 409 else {
            throw BlobStoreError.httpStatus(path: address.bucket, status: response.status)
        }
    }
}

extension GCSBlobStore {
    /// The `contentType` and `cacheControl` stored with the object (its metadata).
    public func storedHeaders(of path: String) async throws -> StoredHeaders {
        try BlobPath.validate(path)
        let response = try await send(.GET, objectURL(path, query: ""), path: path)
        try check(response, path: path)
        let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return StoredHeaders(contentType: object?["contentType"] as? String, cacheControl: object?["cacheControl"] as? String)
    }
}
