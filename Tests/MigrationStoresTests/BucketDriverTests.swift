import Foundation
import LoopbackFeedServer
import Testing
@testable import MigrationStores

/// What the bucket drivers add to the conformance suite: the headers phones' CDN passes on,
/// retries of transient answers, refusals that name the credentials, and no secret in messages.
@Suite("Bucket drivers (S3 and GCS)")
struct BucketDriverTests {
    @Test("S3: export files and indexes carry their Content-Type and Cache-Control", .enabled(if: TestBuckets.expected(TestBuckets.s3Variable)))
    func s3Headers() async throws {
        let store = try await TestBuckets.s3(prefix: "headers-\(UUID().uuidString.prefix(8).lowercased())")
        try await store.write(Data("zip".utf8), to: "r/a.zip")
        try await store.write(Data("r/a.zip".utf8), to: "r/index.txt")
        let file = try await store.send("HEAD", path: "r/a.zip", key: store.address.objectName("r/a.zip"))
        let index = try await store.send("HEAD", path: "r/index.txt", key: store.address.objectName("r/index.txt"))
        #expect(file.headers.first(name: "content-type") == "application/zip")
        #expect(file.headers.first(name: "cache-control") == PublishHeaders.defaultFileCacheControl)
        #expect(index.headers.first(name: "content-type") == "text/plain")
        #expect(index.headers.first(name: "cache-control") == PublishHeaders.defaultIndexCacheControl)
    }

    @Test("GCS: export files and indexes carry their Content-Type and Cache-Control", .enabled(if: TestBuckets.expected(TestBuckets.gcsVariable)))
    func gcsHeaders() async throws {
        let headers = PublishHeaders(indexCacheControl: "no-cache", fileCacheControl: "public, max-age=600")
        let base = try await TestBuckets.gcs(prefix: "headers-\(UUID().uuidString.prefix(8).lowercased())")
        let store = GCSBlobStore(address: base.address, endpoint: base.endpoint, account: nil, headers: headers)
        try await store.write(Data("zip".utf8), to: "r/a.zip")
        try await store.write(Data("r/a.zip".utf8), to: "r/index.txt")
        for (path, type, cache) in [("r/a.zip", "application/zip", "public, max-age=600"), ("r/index.txt", "text/plain", "no-cache")] {
            let url = "\(store.base)/storage/v1/b/\(store.address.bucket)/o/\(SigV4Signer.uriEncode(store.address.objectName(path), slash: true))"
            let (response, _) = try await store.sendCounting(.GET, url, path: path)
            let object = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            #expect(object["contentType"] as? String == type)
            #expect(object["cacheControl"] as? String == cache)
        }
    }

    /// An S3 store (path-style) on the loopback feed server, which serves `bucket/prefix/…` from
    /// a folder and misbehaves on command.
    private func storeOnFaultyServer(timeout: Duration = .seconds(120)) async throws -> (S3BlobStore, LoopbackFeedServer) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-s3-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("bkt/feed/r"), withIntermediateDirectories: true)
        try Data("payload".utf8).write(to: folder.appendingPathComponent("bkt/feed/r/a.zip"))
        let server = try await LoopbackFeedServer.start(serving: folder)
        let store = S3BlobStore(
            address: try BucketAddress(URL(string: "s3://bkt/feed")!), endpoint: .init(url: server.baseURL, pathStyle: true),
            signer: SigV4Signer(
                credentials: AWSCredentials(accessKeyID: "AKIAFAULTS", secretAccessKey: "never-shown", source: "the test"),
                region: "eu-west-1"),
            timeout: timeout)
        return (store, server)
    }

    @Test("a 503 and a 429 are retried with backoff until the object is served")
    func retriesTransient() async throws {
        let (store, server) = try await storeOnFaultyServer()
        defer { Task { await server.stop() } }
        server.inject(.status(503), for: "/bkt/feed/r/a.zip", times: 1)
        server.inject(.status(429), for: "/bkt/feed/r/a.zip", times: 1)
        #expect(try await store.read("r/a.zip") == Data("payload".utf8))
        #expect(server.requestCount(for: "/bkt/feed/r/a.zip") == 3)
    }

    @Test("a request the server never answers times out and is tried again")
    func retriesTimeout() async throws {
        // The held request never answers; a deadline well above a loaded machine's answer time.
        let (store, server) = try await storeOnFaultyServer(timeout: .seconds(2))
        defer { Task { await server.stop() } }
        // Held until the server stops: no answer at all, without a clock.
        server.inject(.hold, for: "/bkt/feed/r/a.zip", times: 1)
        #expect(try await store.read("r/a.zip") == Data("payload".utf8))
        // The first request is held for good, so the content can only have come from a retry.
        #expect(server.requestCount(for: "/bkt/feed/r/a.zip") >= 2)
    }

    @Test("a 403 is not retried, and the refusal names the key's last characters and the region, never the secret")
    func accessDenied() async throws {
        let (store, server) = try await storeOnFaultyServer()
        defer { Task { await server.stop() } }
        server.inject(.status(403), for: "/bkt/feed/r/a.zip", times: nil)
        do {
            _ = try await store.read("r/a.zip")
            Issue.record("a 403 read as content")
        } catch let error as BlobStoreError {
            guard case .accessDenied = error else { Issue.record("not accessDenied: \(error)"); return }
            #expect("\(error)".contains("…ULTS") && "\(error)".contains("eu-west-1") && !"\(error)".contains("never-shown"))
        }
        #expect(server.requestCount(for: "/bkt/feed/r/a.zip") == 1)
    }

    @Test("bucket locations: a good one parses; a bad bucket name, a port or `..` are refused")
    func addresses() throws {
        let good = try BucketAddress(URL(string: "s3://ha-feed/exposure/v1/")!)
        #expect(good.bucket == "ha-feed" && good.prefix == "exposure/v1" && good.objectName("r/index.txt") == "exposure/v1/r/index.txt")
        #expect(try BucketAddress(URL(string: "gs://top-bucket")!).objectName("x") == "x")
        for bad in ["s3://UPPER/x", "s3://ab/x", "gs://bucket:99/x", "s3://bucket/a/../b", "s3:///x", "https://bucket/x"] {
            #expect(throws: CloudCredentialError.self, "\(bad)") { try BucketAddress(URL(string: bad)!) }
        }
    }
}
