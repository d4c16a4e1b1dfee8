import Foundation
import LoopbackFeedServer
import MigrationStores
import Testing

/// A readable store holding the objects `seed` wrote, and how to stop it.
struct ReadableStore {
    let store: any BlobStore
    let stop: @Sendable () async -> Void
}

/// The drivers every read test runs against: the twin, the file driver, and the HTTP driver
/// reading a real loopback server.
enum ReadableDriver: String, CaseIterable, CustomStringConvertible {
    case memory, file, http
    var description: String { rawValue }

    func make(seed: [String: Data]) async throws -> ReadableStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-read-\(UUID().uuidString)")
        let writer: any BlobStore = self == .memory ? InMemoryBlobStore() : FileBlobStore(root: folder)
        for (path, data) in seed { try await writer.write(data, to: path) }
        switch self {
        case .memory, .file: return ReadableStore(store: writer, stop: {})
        case .http:
            let server = try await LoopbackFeedServer.start(serving: folder)
            return ReadableStore(store: HTTPBlobStore(base: server.baseURL), stop: { await server.stop() })
        }
    }
}

@Suite("Blob store reads (every readable driver)")
struct BlobReadConformanceTests {
    let seed = ["root/index.txt": Data("root/a.zip".utf8), "root/a.zip": Data((0..<5000).map { UInt8($0 % 251) })]

    @Test("an object reads back byte for byte; a missing one is notFound", arguments: ReadableDriver.allCases)
    func reads(driver: ReadableDriver) async throws {
        let readable = try await driver.make(seed: seed)
        defer { Task { await readable.stop() } }
        #expect(try await readable.store.read("root/a.zip") == seed["root/a.zip"])
        #expect(try await readable.store.read("root/index.txt") == seed["root/index.txt"])
        #expect(try await readable.store.exists("root/a.zip"))
        #expect(try await !readable.store.exists("root/b.zip"))
        await #expect(throws: BlobStoreError.notFound(path: "root/b.zip")) { try await readable.store.read("root/b.zip") }
        await readable.stop()
    }

    @Test("paths that would leave the root are refused before any request", arguments: ReadableDriver.allCases)
    func unsafe(driver: ReadableDriver) async throws {
        let readable = try await driver.make(seed: seed)
        for path in ["../etc/passwd", "/root/a.zip", "root//a.zip", "root/./a.zip"] {
            await #expect(throws: BlobStoreError.unsafePath(path: path)) { try await readable.store.read(path) }
        }
        await readable.stop()
    }
}

@Suite("HTTP blob store")
struct HTTPBlobStoreTests {
    func serve(_ files: [String: Data]) async throws -> LoopbackFeedServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-http-\(UUID().uuidString)")
        let writer = FileBlobStore(root: folder)
        for (path, data) in files { try await writer.write(data, to: path) }
        return try await LoopbackFeedServer.start(serving: folder)
    }

    @Test("a 5xx answer is an error, never content, and counts as transient")
    func serverError() async throws {
        let server = try await serve(["r/index.txt": Data("r/a.zip".utf8)])
        server.inject(.status(503), for: "r/index.txt")
        let store = HTTPBlobStore(base: server.baseURL)
        await #expect(throws: BlobStoreError.httpStatus(path: "r/index.txt", status: 503)) { try await store.read("r/index.txt") }
        #expect(BlobStoreError.httpStatus(path: "", status: 503).isTransient)
        #expect(try await store.read("r/index.txt") == Data("r/a.zip".utf8))
        await server.stop()
    }

    @Test("a 403 is a permanent error")
    func forbidden() async throws {
        let server = try await serve(["r/a.zip": Data([1])])
        server.inject(.status(403), for: "r/a.zip")
        let store = HTTPBlobStore(base: server.baseURL)
        do {
            _ = try await store.read("r/a.zip")
            Issue.record("a 403 was read as content")
        } catch let error as BlobStoreError {
            #expect(error == .httpStatus(path: "r/a.zip", status: 403))
            #expect(!error.isTransient)
        }
        await server.stop()
    }

    @Test("a body over the limit is refused (index and file limits apart)")
    func oversized() async throws {
        let server = try await serve(["r/index.txt": Data(repeating: 0x61, count: 2000), "r/a.zip": Data(repeating: 1, count: 3000)])
        let store = HTTPBlobStore(base: server.baseURL, limits: .init(maxIndexBytes: 1000, maxFileBytes: 2500))
        await #expect(throws: BlobStoreError.tooLarge(path: "r/index.txt", limit: 1000)) { try await store.read("r/index.txt") }
        await #expect(throws: BlobStoreError.tooLarge(path: "r/a.zip", limit: 2500)) { try await store.read("r/a.zip") }
        await server.stop()
    }

    /// Two ways to be slower than the deadline: late with the head, or on time with a body
    /// dripped out slowly (the client's own deadline covered only the head).
    static let slowServers: [Fault] = [.delay(5), .drip(bytes: 64, interval: 0.05)]

    @Test("a server slower than the deadline, late or dripping its body, times out transiently", arguments: slowServers)
    func timeout(slowness: Fault) async throws {
        let server = try await serve(["r/a.zip": Data(count: 4096)])
        server.inject(slowness, for: "r/a.zip")
        let store = HTTPBlobStore(base: server.baseURL, limits: .init(fileTimeout: .milliseconds(300)))
        do {
            _ = try await store.read("r/a.zip")
            Issue.record("a server taking seconds was read within a 300 ms deadline")
        } catch let error as BlobStoreError {
            #expect(error == .timedOut(path: "r/a.zip", after: .milliseconds(300)))
            #expect(error.isTransient)
        }
        await server.stop()
    }

    @Test("nothing can be written or deleted; a closed port is unreachable")
    func readOnly() async throws {
        let server = try await serve([:])
        // The HTTP client keeps trying to connect until the deadline, so a short one keeps the test quick.
        let store = HTTPBlobStore(base: server.baseURL, limits: .init(fileTimeout: .seconds(1)))
        await #expect(throws: BlobStoreError.readOnly(path: "r/a.zip")) { try await store.write(Data(), to: "r/a.zip") }
        await #expect(throws: BlobStoreError.readOnly(path: "r/a.zip")) { try await store.delete("r/a.zip") }
        await server.stop()
        do {
            _ = try await store.read("r/a.zip")
            Issue.record("a stopped server answered")
        } catch let error as BlobStoreError {
            switch error {
            case .unreachable, .timedOut: #expect(error.isTransient)
            default: Issue.record("expected unreachable or timed out, got \(error)")
            }
        }
    }

    @Test("a feed index URL splits into the folder its lines are relative to and the index path")
    func feedLocation() throws {
        let (store, path) = try BlobLocation.feed(index: URL(string: "https://cdn.example/a/exposureKeyExport-US/index.txt")!)
        #expect(path == "exposureKeyExport-US/index.txt")
        #expect((store as? HTTPBlobStore)?.base.absoluteString == "https://cdn.example/a/")
        let (files, filePath) = try BlobLocation.feed(index: URL(fileURLWithPath: "/tmp/x/root/index.txt"))
        #expect(filePath == "root/index.txt")
        #expect((files as? FileBlobStore)?.root.path == "/tmp/x")
    }
}
