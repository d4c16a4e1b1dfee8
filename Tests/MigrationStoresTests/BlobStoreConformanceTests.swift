import Foundation
import Testing
import MigrationStores

/// The drivers every blob store test runs against: the twin and each real driver.
enum BlobStoreDriver: String, CaseIterable, CustomStringConvertible {
    case memory, file
    var description: String { rawValue }

    func make() -> any BlobStore {
        switch self {
        case .memory: InMemoryBlobStore()
        case .file: FileBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-blobs-\(UUID().uuidString)"))
        }
    }
}

@Suite("Blob store conformance (every driver)")
struct BlobStoreConformanceTests {
    @Test("write, read, overwrite, exists, delete", arguments: BlobStoreDriver.allCases)
    func basics(driver: BlobStoreDriver) async throws {
        let store = driver.make()
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

    @Test("list gives the folder's direct objects, byte-sorted", arguments: BlobStoreDriver.allCases)
    func listing(driver: BlobStoreDriver) async throws {
        let store = driver.make()
        for name in ["r/b.zip", "r/B.zip", "r/index.txt", "r/sub/x.zip", "other/y.zip"] {
            try await store.write(Data(), to: name)
        }
        #expect(try await store.list(under: "r") == ["r/B.zip", "r/b.zip", "r/index.txt"])
        #expect(try await store.list(under: "missing").isEmpty)
    }

    @Test("paths that would leave the root are refused", arguments: BlobStoreDriver.allCases)
    func unsafePaths(driver: BlobStoreDriver) async throws {
        let store = driver.make()
        for path in ["../x", "/etc/passwd", "a//b", "a/./b", "a/../../b", ""] {
            await #expect(throws: BlobStoreError.unsafePath(path: path)) { try await store.write(Data(), to: path) }
        }
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
