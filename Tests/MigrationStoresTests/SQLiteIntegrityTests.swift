import Foundation
import MigrationEngine
import MigrationStores
import Testing

@Suite("A damaged SQLite file is refused before anything reads or writes it")
struct SQLiteIntegrityTests {
    /// Overwrites the b-tree page type of every page after the first with 0: each is now a page
    /// SQLite cannot read, which its quick check reports.
    func damage(_ path: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for page in stride(from: 4096, to: bytes.count, by: 4096) { bytes[page] = 0 }
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test("a key store and a journal with damaged pages fail to open with DatabaseCorrupt naming the file (exit 7), not a pass over bad data")
    func damagedFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-integrity-\(UUID().uuidString)")
        let storePath = folder.appendingPathComponent("keys.db").path
        do {
            let store = try SQLiteKeyStore(path: storePath)
            let keys = (0..<2000).map { index in
                StoredKey(
                    keyData: Data((0..<16).map { UInt8(truncatingIfNeeded: $0 * 31 + index * 7 + index / 256) }), transmissionRisk: 2,
                    intervalNumber: 2_650_000, regions: ["US-XX"], createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            }
            _ = try await store.importFile(url: "a.zip", digest: "d", keys: keys, at: Date())
        }
        let journalPath = folder.appendingPathComponent("journal.db").path
        _ = try SQLiteJournalStorage(path: journalPath)
        // The WAL holds recent pages: checkpoint so the damage is in the file SQLite reads.
        for path in [storePath, journalPath] {
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        _ = try SQLiteKeyStore(path: storePath)
        try damage(storePath)
        try damage(journalPath)
        #expect(throws: DatabaseCorrupt.self) { _ = try SQLiteKeyStore(path: storePath) }
        let opened = Result { try SQLiteJournalStorage(path: journalPath) }
        let corrupt: DatabaseCorrupt? =
            switch opened {
            case .failure(let error): if case .corrupt(let found)? = error as? JournalError { found } else { nil }
            case .success: nil
            }
        #expect(corrupt?.path == journalPath, "\(opened)")
        #expect(corrupt?.description.contains("Restore it from a backup") == true)
    }

    /// A closed key store of 2000 keys at a new path (its write-ahead log checkpointed away).
    func closedStore() async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-integrity-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("keys.db").path
        do {
            let store = try SQLiteKeyStore(path: path)
            let keys = (0..<2000).map { index in
                StoredKey(
                    keyData: Data((0..<16).map { UInt8(truncatingIfNeeded: $0 * 31 + index * 7 + index / 256) }), transmissionRisk: 2,
                    intervalNumber: 2_650_000, regions: ["US-XX"], createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            }
            _ = try await store.importFile(url: "a.zip", digest: "d", keys: keys, at: Date())
        }
        return path
    }

    /// The stamp saved beside `path` by its last passed check (numbers kept exact: the times are nanoseconds).
    func stamp(_ path: String) throws -> [String: NSNumber] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path + "-checked"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: NSNumber])
    }

    /// Sets the stamp's check time to `age` seconds ago.
    func age(_ path: String, by age: Double) throws {
        var saved = try stamp(path)
        saved["checkedAt"] = NSNumber(value: Date().addingTimeInterval(-age).timeIntervalSinceReferenceDate)
        try JSONSerialization.data(withJSONObject: saved).write(to: URL(fileURLWithPath: path + "-checked"))
    }

    @Test("a store nothing wrote since its check is not checked again on open until the schedule says so")
    func unchangedStoreSkipsTheCheck() async throws {
        let path = try await closedStore()
        _ = try SQLiteKeyStore(path: path)
        try age(path, by: 100)
        let aged = try #require(try stamp(path)["checkedAt"]?.doubleValue)
        _ = try SQLiteKeyStore(path: path, checkEvery: .seconds(3600))
        #expect(try stamp(path)["checkedAt"]?.doubleValue == aged, "unchanged and checked 100 s ago: no check within the hour")
        _ = try SQLiteKeyStore(path: path, checkEvery: .seconds(60))
        #expect(try #require(try stamp(path)["checkedAt"]?.doubleValue) > aged, "checked 100 s ago with a 60 s schedule: checked again")
    }

    @Test("one damaged page in a store checked a moment ago is refused on the next open, even with its modification time set back")
    func changedStoreIsCheckedAtOnce() async throws {
        let path = try await closedStore()
        _ = try SQLiteKeyStore(path: path)
        let before = try stamp(path)
        // The last page only: nothing an open reads, so only the check can find it.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - 4096)
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let modified = try #require(before["modifiedNanoseconds"]?.intValue)
        var times = [
            timespec(tv_sec: modified / 1_000_000_000, tv_nsec: modified % 1_000_000_000),
            timespec(tv_sec: modified / 1_000_000_000, tv_nsec: modified % 1_000_000_000),
        ]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        #expect(throws: DatabaseCorrupt.self) { _ = try SQLiteKeyStore(path: path, checkEvery: .seconds(86_400)) }
    }
}
