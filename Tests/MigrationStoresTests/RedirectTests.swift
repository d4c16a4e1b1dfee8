import CaseReport
import Foundation
import LoopbackFeedServer
import MigrationStores
import Testing

/// Issue 20, item 5: a redirect is followed only within the plan's rule, and a file that came
/// through one says where from when it fails.
@Suite("HTTP redirects follow the rule")
struct RedirectTests {
    func url(_ text: String) -> URL { URL(string: text)! }

    @Test("same scheme or stronger; plain http only to loopback unless the plan allows it; never https → http")
    func rule() {
        let rule = RedirectRule()
        #expect(rule.refusal(from: url("https://cdn.example/a.zip"), to: url("https://bucket.example/a.zip")) == nil)
        #expect(rule.refusal(from: url("http://127.0.0.1:1/a.zip"), to: url("https://cdn.example/a.zip")) == nil)
        #expect(rule.refusal(from: url("http://127.0.0.1:1/a.zip"), to: url("http://localhost:2/a.zip")) == nil)
        #expect(rule.refusal(from: url("https://cdn.example/a.zip"), to: url("http://evil.example/a.zip"))?.contains("https to plain http") == true)
        #expect(rule.refusal(from: url("https://cdn.example/a.zip"), to: url("http://127.0.0.1/a.zip"))?.contains("https to plain http") == true)
        #expect(rule.refusal(from: url("http://127.0.0.1:1/a.zip"), to: url("http://evil.example/a.zip"))?.contains("only to loopback") == true)
        #expect(rule.refusal(from: url("https://cdn.example/a.zip"), to: url("file:///etc/passwd")) != nil)
        #expect(rule.refusal(from: url("https://cdn.example/a.zip"), to: url("https://user:pw@cdn.example/a.zip")) != nil)
        let insecure = RedirectRule(allowInsecureHTTP: true)
        #expect(insecure.refusal(from: url("http://10.0.0.1/a.zip"), to: url("http://10.0.0.2/a.zip")) == nil)
        #expect(insecure.refusal(from: url("https://cdn.example/a.zip"), to: url("http://cdn.example/a.zip")) != nil)
    }

    func serve(_ files: [String: Data]) async throws -> LoopbackFeedServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-redirect-\(UUID().uuidString)")
        for (path, data) in files { try await FileBlobStore(root: folder).write(data, to: path) }
        return try await LoopbackFeedServer.start(serving: folder)
    }

    @Test("a redirect to another loopback port over http is followed, relative ones too")
    func followedOnLoopback() async throws {
        let origin = try await serve([:])
        let other = try await serve(["r/a.zip": Data("moved".utf8), "r/b.zip": Data("relative".utf8)])
        origin.inject(.redirect(to: other.baseURL.absoluteString + "r/a.zip", status: 301), for: "r/a.zip", times: nil)
        origin.inject(.redirect(to: "/r/c.zip"), for: "r/b.zip", times: nil)
        origin.inject(.redirect(to: other.baseURL.absoluteString + "r/b.zip", status: 307), for: "r/c.zip", times: nil)
        let store = HTTPBlobStore(base: origin.baseURL)
        #expect(try await store.read("r/a.zip") == Data("moved".utf8))
        #expect(try await store.read("r/b.zip") == Data("relative".utf8))
        await origin.stop()
        await other.stop()
    }

    @Test("a redirect outside the rule, or one too many, is an error naming both URLs, and nothing is fetched from there")
    func refused() async throws {
        let origin = try await serve([:])
        origin.inject(.redirect(to: "http://evil.example/r/a.zip"), for: "r/a.zip", times: nil)
        let store = HTTPBlobStore(base: origin.baseURL)
        do {
            _ = try await store.read("r/a.zip")
            Issue.record("followed a redirect to plain http on another host")
        } catch let error as BlobStoreError {
            #expect(
                error
                    == .redirectRefused(
                        path: "r/a.zip", from: origin.baseURL.absoluteString + "r/a.zip", to: "http://evil.example/r/a.zip",
                        reason: "plain http only to loopback (set allowInsecureHTTP: true if this network is trusted)"))
            #expect(!error.isTransient)
            #expect(error.description.contains("http://evil.example/r/a.zip") && error.description.contains(origin.baseURL.absoluteString))
            CaseReport.record(
                80, case: "a feed redirected to plain http elsewhere, in a loop, or to another scheme", handling: "not followed, failed for good",
                operatorSees: error.description, test: "RedirectTests")
        }
        // A loop: each answer sends the read back to the same file.
        origin.inject(.redirect(to: "/r/loop.zip"), for: "r/loop.zip", times: nil)
        do {
            _ = try await store.read("r/loop.zip")
            Issue.record("followed redirects forever")
        } catch let error as BlobStoreError {
            #expect(error.description.contains("more than 5 redirects"), "\(error)")
        }
        #expect(origin.requestCount(for: "r/loop.zip") == 6)
        await origin.stop()
    }

    @Test("a file that fails after a redirect says where it came from, and stays transient when the failure is")
    func failureSaysWhereFrom() async throws {
        let origin = try await serve([:])
        let other = try await serve(["r/a.zip": Data("x".utf8)])
        origin.inject(.redirect(to: other.baseURL.absoluteString + "r/a.zip"), for: "r/a.zip", times: nil)
        other.inject(.status(503), for: "r/a.zip", times: nil)
        do {
            _ = try await HTTPBlobStore(base: origin.baseURL).read("r/a.zip")
            Issue.record("read a 503")
        } catch let error as BlobStoreError {
            #expect(error.isTransient)
            #expect(
                error.description
                    == "r/a.zip: the server answered HTTP 503 (redirected from \(origin.baseURL.absoluteString)r/a.zip to \(other.baseURL.absoluteString)r/a.zip)"
            )
        }
        await origin.stop()
        await other.stop()
    }
}
