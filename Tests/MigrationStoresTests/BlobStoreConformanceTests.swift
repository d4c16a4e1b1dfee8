import Foundation
import Testing
import MigrationStores

/// The drivers every blob store test runs against: the twin and each real driver. The bucket
/// drivers run against the loopback servers `scripts/with-buckets` starts; without them they
/// are left out locally, and fail under CI (so a CI run can never pass without them).
enum BlobStoreDriver: String, CaseIterable, CustomStringConvertible {
    case memory, file, s3, gcs
    var description: String { rawValue }

    static var available: [BlobStoreDriver] {
        allCases.filter { $0 == .memory || $0 == .file || TestBuckets.expected($0 == .s3 ? TestBuckets.s3Variable : TestBuckets.gcsVariable) }
    }

    func make() async throws -> any BlobStore {
        let folder = "conformance-\(UUID().uuidString.prefix(8).lowercased())"
        switch self {
        case .memory: return InMemoryBlobStore()
        case .file: return FileBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-blobs-\(UUID().uuidString)"))
        case .s3: return try await TestBuckets.s3(prefix: folder)
        case .gcs: return try await TestBuckets.gcs(prefix: folder)
        }
    }
}

@Suite("Blob store conformance (every driver)")
struct BlobStoreConformanceTests {
    @Test("write, read, overwrite, exists, delete", arguments: BlobStoreDriver.available)
    func basics(driver: BlobStoreDriver) async throws {
        let store = try await driver.make()
        #expect(try await !store.exists("root/a.zip"))
        try await store.write(Data("one".utf8), to: "root/a.zip")
        #expect(try await store.read("root/a.zip") == Data("one".utf8))
        try await store.write(Data("two".utf8), to: "root/a.zip")
        #expect(try await store.read("root/a.zip") == Data("two".utf8))
        #expect(try await store.exists("root/a.zip"))
        try await store.delete("root/a.zip")
        try await store.delete("root/a.zip")
        await #expect(throws: BlobStoreError.notFound(path: "root/a.zip")) { try await store.read("root/a.zip") }
    }

    @Test("list gives the folder's direct objects, byte-sorted", arguments: BlobStoreDriver.available)
    func listing(driver: BlobStoreDriver) async throws {
        let store = try await driver.make()
        for name in ["r/b.zip", "r/B.zip", "r/index.txt", "r/sub/x.zip", "other/y.zip"] {
            try await store.write(Data(), to: name)
        }
        #expect(try await store.list(under: "r") == ["r/B.zip", "r/b.zip", "r/index.txt"])
        #expect(try await store.list(under: "missing").isEmpty)
    }

    @Test("paths that would leave the root are refused", arguments: BlobStoreDriver.available)
    func unsafePaths(driver: BlobStoreDriver) async throws {
        let store = try await driver.make()
        for path in ["../x", "/etc/passwd", "a//b", "a/./b", "a/../../b", ""] {
            await #expect(throws: BlobStoreError.unsafePath(path: path)) { try await store.write(Data(), to: path) }
        }
    }
}

@Suite("Blob store conditional writes (every driver)")
struct BlobStoreConditionalWriteTests {
    @Test("a write on the version read goes ahead; one on a version another writer replaced is refused", arguments: BlobStoreDriver.available)
    func compareAndSwap(driver: BlobStoreDriver) async throws {
        let store = try await driver.make()
        try await store.write(Data("ours".utf8), to: "r/index.txt", if: .absent)
        await #expect(throws: BlobStoreError.self) { try await store.write(Data("again".utf8), to: "r/index.txt", if: .absent) }
        let read = try await store.currentVersion(of: "r/index.txt")
        try await store.write(Data("foreign".utf8), to: "r/index.txt") // another writer, in between
        await #expect(throws: BlobStoreError.self) { try await store.write(Data("swap".utf8), to: "r/index.txt", if: .still(read)) }
        #expect(try await store.read("r/index.txt") == Data("foreign".utf8))
        let now = try await store.currentVersion(of: "r/index.txt")
        #expect(now != read)
        try await store.write(Data("swap".utf8), to: "r/index.txt", if: .still(now))
        #expect(try await store.read("r/index.txt") == Data("swap".utf8))
    }

    @Test("a missing object has no version and is notFound", arguments: BlobStoreDriver.available)
    func missing(driver: BlobStoreDriver) async throws {
        let store = try await driver.make()
        #expect(try await store.currentVersion(of: "r/none.zip") == nil)
        await #expect(throws: BlobStoreError.notFound(path: "r/none.zip")) { try await store.read("r/none.zip") }
    }
}

@Suite("File blob store")
struct FileBlobStoreTests {
    @Test("a write leaves no temporary file behind and the file holds the whole content")
    func atomicWrite() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-blobs-\(UUID().uuidString)")
        let store = FileBlobStore(root: root)
        let data = Data(repeating: 7, count: 1 << 20)
        try await store.write(data, to: "r/big.zip")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("r").path)
        #expect(names == ["big.zip"])
        #expect(try Data(contentsOf: root.appendingPathComponent("r/big.zip")) == data)
    }
}
