import Foundation
import Testing
import MigrationStores

/// The drivers every key store test runs against: the twin and each real driver.
enum KeyStoreDriver: String, CaseIterable, CustomStringConvertible {
    case memory, sqlite
    var description: String { rawValue }

    func make() throws -> any ExposureKeyStore {
        switch self {
        case .memory: InMemoryKeyStore()
        case .sqlite: try SQLiteKeyStore(path: FileManager.default.temporaryDirectory
            .appendingPathComponent("enmigrate-keys-\(UUID().uuidString)/national-keys.db").path)
        }
    }
}

@Suite("Key store conformance (every driver)")
struct KeyStoreConformanceTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func keys(_ range: Range<Int>) -> [StoredKey] {
        range.map { index in
            var bytes = Data(count: 16)
            bytes[0] = UInt8(index & 0xFF)
            bytes[1] = UInt8(index >> 8)
            return StoredKey(keyData: bytes, transmissionRisk: index % 9, intervalNumber: 2_650_000 + Int32(index),
                             daysSinceOnset: index % 2 == 0 ? 3 : nil, regions: ["US-XX"], createdAt: now)
        }
    }

    @Test("a file's keys are stored once; overlapping keys from another file are skipped, not counted", arguments: KeyStoreDriver.allCases)
    func duplicatesSkipped(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        #expect(try await store.importFile(url: "a.zip", digest: "d1", keys: keys(0..<100), at: now) == 100)
        #expect(try await store.importFile(url: "b.zip", digest: "d2", keys: keys(50..<150), at: now) == 50)
        #expect(try await store.importFile(url: "a.zip", digest: "d1", keys: keys(0..<100), at: now) == 0)
        #expect(try await store.keyCount() == 150)
        let files = try await store.importFiles()
        #expect(files.map(\.url) == ["a.zip", "b.zip"])
        #expect(files.map(\.keysImported) == [100, 50])
        #expect(files.allSatisfy { $0.status == .imported })
    }

    @Test("stored keys keep every field", arguments: KeyStoreDriver.allCases)
    func fieldsRoundTrip(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        let original = keys(7..<9)
        _ = try await store.importFile(url: "a.zip", digest: "d", keys: original, at: now)
        for key in original {
            #expect(try await store.key(key.keyData) == key)
        }
        #expect(try await store.key(Data(count: 16)) == nil)
    }

    @Test("a failure is recorded with its reason and attempts; it never downgrades an imported file", arguments: KeyStoreDriver.allCases)
    func failures(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        try await store.recordFailure(url: "bad.zip", reason: "signature mismatch", at: now)
        try await store.recordFailure(url: "bad.zip", reason: "signature mismatch", at: now)
        _ = try await store.importFile(url: "good.zip", digest: "d", keys: keys(0..<3), at: now)
        try await store.recordFailure(url: "good.zip", reason: "late", at: now)
        let files = try await store.importFiles()
        #expect(files.first { $0.url == "bad.zip" } == ImportFileRecord(url: "bad.zip", status: .failed, attempts: 2,
                                                                         lastError: "signature mismatch", digest: nil, keysImported: 0))
        #expect(files.first { $0.url == "good.zip" }?.status == .imported)
        #expect(try await store.keyCount() == 3)
    }
}

@Suite("SQLite key store")
struct SQLiteKeyStoreTests {
    @Test("keys survive reopening the file")
    func persistence() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-keys-\(UUID().uuidString)/k.db").path
        let key = StoredKey(keyData: Data(repeating: 1, count: 16), transmissionRisk: 2, intervalNumber: 1, regions: ["US"],
                            createdAt: Date(timeIntervalSince1970: 0))
        _ = try await SQLiteKeyStore(path: path).importFile(url: "a", digest: "d", keys: [key], at: Date())
        #expect(try await SQLiteKeyStore(path: path).key(key.keyData) == key)
    }
}
