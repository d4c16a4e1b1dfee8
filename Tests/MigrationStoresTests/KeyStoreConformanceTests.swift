import Foundation
import Testing
import MigrationStores

/// The drivers every key store test runs against: the twin and each real driver. PostgreSQL
/// runs when scripts/with-postgres (which scripts/test uses) provides a throwaway server.
enum KeyStoreDriver: String, CaseIterable, CustomStringConvertible {
    case memory, sqlite, postgres
    var description: String { rawValue }

    static var allCases: [KeyStoreDriver] { TestPostgres.url == nil ? [.memory, .sqlite] : [.memory, .sqlite, .postgres] }

    func make() throws -> any ExposureKeyStore {
        switch self {
        case .memory: InMemoryKeyStore()
        case .sqlite:
            try SQLiteKeyStore(
                path: FileManager.default.temporaryDirectory
                    .appendingPathComponent("enmigrate-keys-\(UUID().uuidString)/national-keys.db").path)
        case .postgres: try PostgresKeyStore(location: try TestPostgres.freshSchema())
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
            return StoredKey(
                keyData: bytes, transmissionRisk: index % 9, intervalNumber: 2_650_000 + Int32(index),
                daysSinceOnset: index % 2 == 0 ? 3 : nil, regions: ["US-XX"], createdAt: now)
        }
    }

    @Test("claims: a file goes to one owner until its claim lapses; imported and failed files are never claimed", arguments: KeyStoreDriver.allCases)
    func claims(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        let urls = (0..<6).map { "f\($0).zip" }
        _ = try await store.importFile(url: "f0.zip", digest: "d0", keys: keys(0..<3), at: now)
        try await store.recordFailure(url: "f1.zip", reason: "bad signature", at: now)
        try await store.recordRetry(url: "f2.zip", reason: "HTTP 503", at: now)
        let until = now.addingTimeInterval(60)
        #expect(try await store.claimImportFiles(urls, limit: 2, owner: "a", until: until, now: now) == ["f2.zip", "f3.zip"])
        #expect(try await store.claimImportFiles(urls, limit: 10, owner: "b", until: until, now: now) == ["f4.zip", "f5.zip"])
        #expect(try await store.claimImportFiles(urls, limit: 10, owner: "b", until: until, now: now) == ["f4.zip", "f5.zip"])
        #expect(try await store.claimImportFiles(urls, limit: 10, owner: "c", until: until, now: now).isEmpty)
        #expect(try await store.importClaimOwners(now: now) == ["a", "b"])
        try await store.releaseImportClaims(owner: "b")
        #expect(try await store.importClaimOwners(now: now) == ["a"])
        #expect(try await store.claimImportFiles(urls, limit: 10, owner: "c", until: until, now: now) == ["f4.zip", "f5.zip"])
        try await store.releaseImportClaims(owner: "c")
        let later = until.addingTimeInterval(1)
        #expect(
            try await store.claimImportFiles(urls, limit: 10, owner: "c", until: later.addingTimeInterval(60), now: later)
                == ["f2.zip", "f3.zip", "f4.zip", "f5.zip"])
    }

    @Test("claimers racing each get different files, and together all of them", arguments: KeyStoreDriver.allCases)
    func racingClaims(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        let urls = (0..<40).map { String(format: "f%02d.zip", $0) }
        let now = self.now
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for owner in 0..<4 {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let rest = urls.filter { !mine.contains($0) }
                        let next = try await store.claimImportFiles(rest, limit: 3, owner: "r\(owner)", until: now.addingTimeInterval(60), now: now)
                        if next.isEmpty { return mine }
                        mine += next
                    }
                }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(claimed.flatMap { $0 }.sorted() == urls)
    }

    @Test("a batch imports its files in order in one go: a key shared by two of them counts for the first", arguments: KeyStoreDriver.allCases)
    func batch(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        _ = try await store.importFile(url: "a.zip", digest: "d0", keys: keys(0..<10), at: now)
        let outcomes = try await store.importBatch(
            [
                FileImport(url: "a.zip", digest: "d0", keys: keys(0..<10)),
                FileImport(url: "b.zip", digest: "d1", keys: keys(10..<30)),
                FileImport(url: "c.zip", digest: "d2", keys: keys(20..<40)),
            ], at: now)
        #expect(outcomes.map(\.inserted) == [0, 20, 10])
        #expect(outcomes.map(\.alreadyImported) == [true, false, false])
        #expect(try await store.keyCount() == 40)
        #expect(try await store.importFiles().map(\.keysImported) == [10, 20, 10])
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
        #expect(
            files.first { $0.url == "bad.zip" }
                == ImportFileRecord(
                    url: "bad.zip", status: .failed, attempts: 2,
                    lastError: "signature mismatch", digest: nil, keysImported: 0))
        #expect(files.first { $0.url == "good.zip" }?.status == .imported)
        #expect(try await store.keyCount() == 3)
    }

    @Test(
        "keys refused by rule are kept per file and reason with the file's record, with refused revisions and the file's note",
        arguments: KeyStoreDriver.allCases)
    func refusedKeys(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        let refused = [
            RefusedKeys(code: "rolling-period", reason: "rolling period 0 is outside 1…144", count: 2),
            RefusedKeys(code: "key-length", reason: "key data is 15 bytes, not 16", count: 1),
        ]
        let unknown = KeyRevision(keyData: Data(repeating: 9, count: 16), reportType: "confirmed", transmissionRisk: 2, daysSinceOnset: nil)
        let outcomes = try await store.importBatch(
            [
                FileImport(
                    url: "a.zip", digest: "d", keys: keys(0..<3), revisions: [unknown], refusedKeys: refused,
                    note: "the file ends in the future"),
                FileImport(url: "b.zip", digest: "e", keys: keys(3..<4)),
            ], at: now)
        #expect(outcomes[0].refusedRevisions == [RefusedKeys(code: "revision-unknown-key", reason: "not a stored key", count: 1)])
        let files = Dictionary(uniqueKeysWithValues: try await store.importFiles().map { ($0.url, $0) })
        #expect(
            files["a.zip"]?.refusedKeys == [
                RefusedKeys(code: "key-length", reason: "key data is 15 bytes, not 16", count: 1),
                RefusedKeys(code: "revision-unknown-key", reason: "not a stored key", count: 1),
                RefusedKeys(code: "rolling-period", reason: "rolling period 0 is outside 1…144", count: 2),
            ])
        #expect(files["a.zip"]?.note == "the file ends in the future")
        #expect(files["b.zip"]?.refusedKeys == [] && files["b.zip"]?.note == nil)
        // Importing the file again changes nothing, counts included.
        _ = try await store.importBatch([FileImport(url: "a.zip", digest: "d", keys: [], refusedKeys: [])], at: now)
        #expect(try await store.importFiles().first { $0.url == "a.zip" }?.refusedKeys.count == 3)
    }
}

@Suite("SQLite key store")
struct SQLiteKeyStoreTests {
    @Test("keys survive reopening the file")
    func persistence() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-keys-\(UUID().uuidString)/k.db").path
        let key = StoredKey(
            keyData: Data(repeating: 1, count: 16), transmissionRisk: 2, intervalNumber: 1, regions: ["US"],
            createdAt: Date(timeIntervalSince1970: 0))
        _ = try await SQLiteKeyStore(path: path).importFile(url: "a", digest: "d", keys: [key], at: Date())
        #expect(try await SQLiteKeyStore(path: path).key(key.keyData) == key)
    }
}

@Suite("Key store conformance: retries, revisions, national files (every driver)")
struct KeyStoreLifecycleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func key(_ byte: UInt8, type: String = "likely", createdAt: Date? = nil) -> StoredKey {
        StoredKey(
            keyData: Data(repeating: byte, count: 16), transmissionRisk: 4, intervalNumber: 2_650_000, reportType: type,
            regions: ["US-XX"], createdAt: createdAt ?? now)
    }

    @Test("a transient failure is retrying, then imported; retries never downgrade an imported file", arguments: KeyStoreDriver.allCases)
    func retries(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        try await store.recordRetry(url: "a.zip", reason: "HTTP 503", at: now)
        #expect(try await store.importFiles().first?.status == .retrying)
        #expect(try await store.importFiles().first?.lastError == "HTTP 503")
        _ = try await store.importFile(url: "a.zip", digest: "d", keys: [key(1)], at: now)
        try await store.recordRetry(url: "a.zip", reason: "late", at: now)
        let record = try #require(try await store.importFiles().first)
        #expect(record.status == .imported)
        #expect(record.attempts == 2)
        #expect(record.lastError == nil)
    }

    @Test("allowed revisions apply, a bad one is refused alone, re-applying is a no-op", arguments: KeyStoreDriver.allCases)
    func revisions(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        _ = try await store.importFile(url: "a.zip", digest: "d", keys: [key(1), key(2, type: "confirmed"), key(3, type: "user-report")], at: now)
        let toConfirmed = KeyRevision(keyData: key(1).keyData, reportType: "confirmed", transmissionRisk: 2, daysSinceOnset: 3)
        let confirmedToNegative = KeyRevision(keyData: key(2).keyData, reportType: "negative", transmissionRisk: 6, daysSinceOnset: nil)
        let userToNegative = KeyRevision(keyData: key(3).keyData, reportType: "negative", transmissionRisk: 6, daysSinceOnset: nil)
        let unknown = KeyRevision(keyData: key(9).keyData, reportType: "confirmed", transmissionRisk: 2, daysSinceOnset: nil)
        let outcome = try await store.importFile(
            url: "b.zip", digest: "e", keys: [key(4)],
            revisions: [toConfirmed, confirmedToNegative, userToNegative, unknown], at: now)
        #expect(outcome.inserted == 1)
        #expect(outcome.revised == 2)
        #expect(outcome.rejectedRevisions == ["key 02020202…: confirmed cannot become negative", "key 09090909…: not a stored key"])
        #expect(try await store.key(key(1).keyData)?.revision == toConfirmed)
        #expect(try await store.key(key(2).keyData)?.revision == nil)
        let again = try await store.importFile(
            url: "c.zip", digest: "f", keys: [],
            revisions: [
                toConfirmed,
                KeyRevision(
                    keyData: key(3).keyData, reportType: "confirmed",
                    transmissionRisk: 2, daysSinceOnset: nil),
            ], at: now)
        #expect(again.revised == 0)
        #expect(again.rejectedRevisions == ["key 03030303…: already revised to negative; a key is revised once"])
    }

    @Test("every key lands in exactly one national file; later keys go to a later batch", arguments: KeyStoreDriver.allCases)
    func nationalFiles(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        let first = (0..<25).map { key(UInt8($0), createdAt: now) }
        _ = try await store.importFile(url: "a.zip", digest: "d", keys: first, at: now)
        let later = key(200, createdAt: now.addingTimeInterval(7200))
        _ = try await store.importFile(url: "b.zip", digest: "e", keys: [later], at: now)
        // Three files of one batch end at the hour after their newest key, once the clock is 3 s past
        // it (each file's export.bin ends `end + number`, which must not be in the future either).
        let clock = now.addingTimeInterval(3603)
        let batch = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: clock)
        let start = Int64(now.timeIntervalSince1970) / 3600 * 3600
        #expect(batch.map(\.name) == (1...3).map { "n/\(start)-\(start + 3600)-0000\($0).zip" })
        #expect(batch.map(\.keyCount) == [10, 10, 5])
        #expect(try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: clock).isEmpty)
        var seen: [Data] = []
        for file in batch { seen += try await store.keys(inNationalFile: file.name).map(\.keyData) }
        #expect(seen == first.map(\.keyData))
        let next = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(7200))
        #expect(next.map(\.name) == ["n/\(start + 3600)-\(start + 2 * 3600)-00001.zip"], "never after the time of writing")
        #expect(try await store.keys(inNationalFile: next[0].name).map(\.keyData) == [later.keyData])
        #expect(try await store.nationalFiles().allSatisfy { !$0.isWritten })
        try await store.markNationalFileWritten(name: next[0].name, digest: "abc")
        #expect(try await store.nationalFiles().last?.digest == "abc")
    }

    @Test("a later file whose key range spans a key of an earlier file leaves that key in the earlier file", arguments: KeyStoreDriver.allCases)
    func earlierKeyInsideALaterRange(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        _ = try await store.importFile(url: "a.zip", digest: "a", keys: [key(1, createdAt: now)], at: now)
        let first = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(3603))
        _ = try await store.importFile(url: "b.zip", digest: "b", keys: [key(0, createdAt: now), key(2, createdAt: now)], at: now)
        let second = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(7203))
        #expect(first.count == 1 && second.count == 1 && second.first?.keyCount == 2)
        #expect(try await store.keys(inNationalFile: first[0].name).map(\.keyData) == [key(1, createdAt: now).keyData])
        #expect(try await store.keys(inNationalFile: second[0].name).map(\.keyData) == [key(0, createdAt: now).keyData, key(2, createdAt: now).keyData])
        #expect(try await store.unassignedKeyCount(cutoff: now.addingTimeInterval(7203)) == 0)
    }

    @Test("a key imported after a file was cut, inside that file's key range, is read back only with its own later file", arguments: KeyStoreDriver.allCases)
    func laterKeyInsideAnEarlierRange(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        _ = try await store.importFile(url: "a.zip", digest: "a", keys: [key(0, createdAt: now), key(2, createdAt: now)], at: now)
        let first = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(3603))
        _ = try await store.importFile(url: "b.zip", digest: "b", keys: [key(1, createdAt: now)], at: now)
        let second = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(7203))
        #expect(first.count == 1 && second.count == 1)
        #expect(try await store.keys(inNationalFile: first[0].name).map(\.keyData) == [key(0, createdAt: now).keyData, key(2, createdAt: now).keyData])
        #expect(try await store.keys(inNationalFile: second[0].name).map(\.keyData) == [key(1, createdAt: now).keyData])
    }

    @Test("a national file's keys come back with every field, creation times and regions differing from key to key", arguments: KeyStoreDriver.allCases)
    func nationalFileKeysKeepFields(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        let keys = (0..<6).map { index in
            StoredKey(
                keyData: Data(repeating: UInt8(index + 1), count: 16), transmissionRisk: index % 3 + 1, intervalNumber: 2_650_000 + Int32(index),
                reportType: "likely", regions: index % 2 == 0 ? ["US-XX"] : ["US-XX", "US-YY"],
                createdAt: now.addingTimeInterval(TimeInterval([0, 0, 60, 60, 0, 120][index])))
        }
        _ = try await store.importFile(url: "a.zip", digest: "a", keys: keys, at: now)
        let files = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(3700))
        try #require(files.count == 1)
        #expect(try await store.keys(inNationalFile: files[0].name) == keys)
    }

    @Test("a key still valid when imported is assigned once it falls due, and a key imported before then is not missed", arguments: KeyStoreDriver.allCases)
    func keysNotYetDue(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        func assigned(at offset: TimeInterval) async throws -> [Data] {
            var keys: [Data] = []
            for file in try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(offset)) {
                keys += try await store.keys(inNationalFile: file.name).map(\.keyData)
            }
            return keys
        }
        let due = key(1, createdAt: now), valid = key(2, createdAt: now.addingTimeInterval(6 * 3600))
        _ = try await store.importFile(url: "a.zip", digest: "a", keys: [due, valid], at: now)
        #expect(try await assigned(at: 3600) == [due.keyData])
        #expect(try await assigned(at: 2 * 3600).isEmpty, "the still-valid key is not due")
        #expect(try await store.unassignedKeyCount(cutoff: now.addingTimeInterval(2 * 3600)) == 0)
        // Imported while the other waits: due at once, so the next pass must not trust what it last saw.
        let late = key(3, createdAt: now.addingTimeInterval(3600))
        _ = try await store.importFile(url: "b.zip", digest: "b", keys: [late], at: now)
        #expect(try await store.unassignedKeyCount(cutoff: now.addingTimeInterval(3 * 3600)) == 1)
        #expect(try await assigned(at: 3 * 3600) == [late.keyData])
        #expect(try await assigned(at: 4 * 3600).isEmpty)
        #expect(try await assigned(at: 7 * 3600) == [valid.keyData], "due now")
        #expect(try await assigned(at: 8 * 3600).isEmpty)
    }

    @Test("a national batch never ends after the time it is written, however often passes run; names still increase", arguments: KeyStoreDriver.allCases)
    func nationalFileTimes(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        let start = Int64(now.timeIntervalSince1970)
        var names: [String] = []
        for (number, offset) in [10, 20, 30].enumerated() {
            let created = now.addingTimeInterval(TimeInterval(offset - 10))
            _ = try await store.importFile(url: "\(number).zip", digest: "d\(number)", keys: [key(UInt8(number), createdAt: created)], at: created)
            let files = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(TimeInterval(offset)))
            #expect(files.map(\.name) == ["n/\(number == 0 ? start : start + Int64(offset - 10))-\(start + Int64(offset))-00001.zip"])
            #expect(files.allSatisfy { $0.batchEnd <= start + Int64(offset) && $0.batchStart < $0.batchEnd })
            names += files.map(\.name)
        }
        #expect(names == names.sorted() && Set(names).count == 3)
        // A batch that would have to end where the last one ended waits for the clock.
        _ = try await store.importFile(url: "3.zip", digest: "d3", keys: [key(3, createdAt: now.addingTimeInterval(30))], at: now)
        #expect(try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(30)).isEmpty)
        #expect(
            try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(31)).map(\.name)
                == ["n/\(start + 30)-\(start + 31)-00001.zip"])
        // A key that became due long before the last batch ended (imported late) is not stuck:
        // its batch ends just after the last one.
        _ = try await store.importFile(url: "4.zip", digest: "d4", keys: [key(4, createdAt: now.addingTimeInterval(-7200))], at: now)
        #expect(
            try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(40)).map(\.name)
                == ["n/\(start + 31)-\(start + 32)-00001.zip"])
    }

    @Test(
        "revisions go to national files too: a revision of an exported key in a later file, one before the first export in the key's own file",
        arguments: KeyStoreDriver.allCases)
    func nationalRevisions(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        let earlier = now.addingTimeInterval(-7200)
        _ = try await store.importFile(url: "a.zip", digest: "a", keys: [key(1, createdAt: earlier), key(2, createdAt: earlier)], at: earlier)
        let first = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(-3600))
        #expect(first.count == 1 && first[0].keyCount == 2)
        #expect(try await store.revisedKeys(inNationalFile: first[0].name).isEmpty)

        // Key 1, exported already, is revoked: the next batch is one file of revisions alone.
        let revoke = KeyRevision(keyData: key(1).keyData, reportType: "negative", transmissionRisk: 6, daysSinceOnset: nil)
        _ = try await store.importFile(url: "b.zip", digest: "b", keys: [], revisions: [revoke], at: now.addingTimeInterval(-60))
        #expect(try await store.unassignedKeyCount(cutoff: now) == 1)
        let second = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now)
        #expect(second.count == 1 && second[0].keyCount == 0)
        #expect(try await store.keys(inNationalFile: second[0].name).isEmpty)
        let revised = try await store.revisedKeys(inNationalFile: second[0].name)
        #expect(revised.map(\.keyData) == [key(1).keyData] && revised.first?.revision?.reportType == "negative")
        #expect(try await store.unassignedKeyCount(cutoff: now) == 0)
        #expect(try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(60)).isEmpty)

        // Key 3 is confirmed before its first export: its revision goes to the file that carries it.
        _ = try await store.importFile(url: "c.zip", digest: "c", keys: [key(3, createdAt: now)], at: now)
        let confirm = KeyRevision(keyData: key(3).keyData, reportType: "confirmed", transmissionRisk: 2, daysSinceOnset: 3)
        _ = try await store.importFile(url: "d.zip", digest: "d", keys: [], revisions: [confirm], at: now.addingTimeInterval(30))
        let third = try await store.assignNationalFiles(root: "n", maxKeysPerFile: 10, cutoff: now.addingTimeInterval(120))
        #expect(third.count == 1 && third[0].keyCount == 1)
        #expect(try await store.keys(inNationalFile: third[0].name).map(\.keyData) == [key(3).keyData])
        #expect(try await store.revisedKeys(inNationalFile: third[0].name).map(\.keyData) == [key(3).keyData])
    }

    @Test("an imported file keeps its content version; reopened, it is retried and imports only its new keys", arguments: KeyStoreDriver.allCases)
    func reopenRepublished(driver: KeyStoreDriver) async throws {
        let store = try driver.make()
        _ = try await store.importBatch([FileImport(url: "a.zip", digest: "d1", keys: [key(1), key(2)], sourceVersion: "v1")], at: now)
        #expect(try await store.importFiles().first?.sourceVersion == "v1")
        try await store.reopenImportFile(url: "a.zip", reason: "republished", at: now)
        let reopened = try #require(try await store.importFiles().first)
        #expect(reopened.status == .retrying && reopened.lastError == "republished")
        let again = try await store.importBatch([FileImport(url: "a.zip", digest: "d2", keys: [key(1), key(2), key(3)], sourceVersion: "v2")], at: now)
        #expect(again.first?.inserted == 1 && again.first?.alreadyImported == false)
        let record = try #require(try await store.importFiles().first)
        #expect(record.status == .imported && record.sourceVersion == "v2" && record.digest == "d2")
        #expect(try await store.keyCount() == 3)
        // A file that is not imported is not reopened.
        try await store.recordFailure(url: "b.zip", reason: "bad signature", at: now)
        try await store.reopenImportFile(url: "b.zip", reason: "republished", at: now)
        #expect(try await store.importFiles().first { $0.url == "b.zip" }?.status == .failed)
    }
}
