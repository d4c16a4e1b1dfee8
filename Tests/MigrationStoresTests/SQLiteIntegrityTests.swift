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
}
