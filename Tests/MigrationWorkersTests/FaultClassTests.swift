import Foundation
import LoopbackFeedServer
import MigrationStores
import Testing
@testable import ExposureExport
@testable import MigrationWorkers

/// How a feed server can misbehave, one class at a time, and what the importer must do about it.
enum FaultClass: String, CaseIterable, CustomStringConvertible, Sendable {
    case serverError = "5xx"
    case timeout
    case slowDrip = "slow-drip"
    case truncatedBody = "truncated-body"
    case wrongContent = "wrong-content"
    case oversizedIndex = "oversized-index"
    case notFoundListed = "404-listed-file"
    case tampered
    case wronglySigned = "wrongly-signed"
    case unsortedIndex = "unsorted-index"
    case duplicateIndexLines = "duplicate-index-lines"
    case dotDotEntry = "dot-dot-entry"
    case absoluteEntry = "absolute-entry"
    case zipBomb = "zip-bomb"

    var description: String { rawValue }

    /// What the importer must make of it.
    enum Handling: String, Encodable {
        /// The file waits and is imported once the server behaves.
        case retried
        /// The file fails for good, with the reason; the other files are imported.
        case quarantined
        /// The index is refused as a whole: nothing of it is used, nothing is imported.
        case indexRefused = "index refused"
    }

    var handling: Handling {
        switch self {
        case .serverError, .timeout, .slowDrip, .notFoundListed: .retried
        case .truncatedBody, .wrongContent, .tampered, .wronglySigned, .zipBomb: .quarantined
        case .oversizedIndex, .unsortedIndex, .duplicateIndexLines, .dotDotEntry, .absoluteEntry: .indexRefused
        }
    }
}

/// The fault-class harness (issue: reliability): a real loopback HTTP server serving a signed
/// second feed of five files misbehaves in one way, the importer runs its passes into a real
/// SQLite key store, and the test proves what the operator is told, what was quarantined, that
/// no key of a bad file was imported and that every key of the good files was. With
/// `ENMIGRATE_FAULT_REPORT=FOLDER` each class writes its row of the report there
/// (`scripts/fault-classes` prints the table).
@Suite("Fault classes: a misbehaving feed server, one class at a time")
struct FaultClassTests {
    static let badFile = 2
    let trusted = TrustedStateKeySet([.init(key: TestKeys.state.trustedKey)])

    /// One row of the report.
    struct Row: Encodable {
        let fault: String
        let injected: String
        let handling: FaultClass.Handling
        let operatorSees: String
        let quarantined: [String]
        let badFileKeysImported: Int
        let goodKeysImported: Int
        let goodKeys: Int
        let passes: Int
    }

    @Test("the importer handles the fault as its class requires, and nothing from a bad file is imported", arguments: FaultClass.allCases)
    func faultClass(_ fault: FaultClass) async throws {
        var fixture = FeedFixture()
        for position in 0..<5 {
            try await fixture.add(FeedFixture.keys(40), signer: position == Self.badFile && fault == .wronglySigned ? TestKeys.forger : TestKeys.state)
        }
        let server = try await fixture.serve()
        let bad = fixture.files[Self.badFile].name
        let injected = try inject(fault, into: fixture, server: server, bad: bad)
        let store = try SQLiteKeyStore(path: fixture.folder.appendingPathComponent("national.db").path)
        let importer = FeedImporter(
            feed: HTTPBlobStore(base: server.baseURL, limits: .init(maxIndexBytes: 64 << 10, fileTimeout: .milliseconds(1500))),
            indexPath: "\(fixture.root)/index.txt", root: fixture.root, trustedKeys: trusted,
            transform: ImportedKeyTransform(region: "US-XX"), keyStore: store, concurrency: 4,
            retry: TransientRetry(attempts: 2, backoff: .milliseconds(1)), environment: testEnvironment())

        var operatorSees = ""
        var passes = 1
        do {
            let summary = try await importer.runPass()
            let problems = summary.failed + summary.retrying
            operatorSees = problems.map(\.reason).joined(separator: "; ")
            switch fault.handling {
            case .retried:
                #expect(summary.retrying.map(\.file) == [bad], "\(fault): \(summary)")
                #expect(summary.failed.isEmpty)
            case .quarantined:
                #expect(summary.failed.map(\.file) == [bad], "\(fault): \(summary)")
                #expect(summary.retrying.isEmpty)
            case .indexRefused:
                Issue.record("\(fault): the pass used an index it should have refused: \(summary)")
            }
        } catch {
            operatorSees = "\(error)"
            #expect(fault.handling == .indexRefused, "\(fault): \(error)")
            #expect(try await store.keyCount() == 0, "a refused index imports nothing")
        }
        let badKeys = fixture.files[Self.badFile].keys
        var badImported = 0
        for key in badKeys where try await store.key(key.keyData) != nil { badImported += 1 }
        #expect(badImported == 0, "\(fault): \(badImported) keys of the misbehaving file were imported")

        // The server behaves again: retried files arrive, quarantined ones stay out.
        server.clearFaults()
        _ = try await importer.runPass()
        passes += 1
        var goodImported = 0
        let good = fixture.files.indices.filter { $0 != Self.badFile || fault.handling != .quarantined }
        for position in good {
            for key in fixture.files[position].keys where try await store.key(key.keyData) != nil { goodImported += 1 }
        }
        let goodKeys = good.count * 40
        #expect(goodImported == goodKeys, "\(fault): \(goodImported) of \(goodKeys) keys of good files imported")
        let quarantined = try await store.importFiles().filter { $0.status == .failed }.map(\.url)
        #expect(quarantined == (fault.handling == .quarantined ? [bad] : []))
        if fault.handling == .quarantined {
            for key in badKeys { #expect(try await store.key(key.keyData) == nil, "\(fault): a key of the bad file was imported") }
        }
        #expect(!operatorSees.isEmpty)
        try write(
            Row(
                fault: fault.rawValue, injected: injected, handling: fault.handling, operatorSees: operatorSees,
                quarantined: quarantined, badFileKeysImported: badImported, goodKeysImported: goodImported,
                goodKeys: goodKeys, passes: passes))
        await server.stop()
    }

    /// Makes the server (or the files it serves) misbehave; returns what was done, for the report.
    private func inject(_ fault: FaultClass, into fixture: FeedFixture, server: LoopbackFeedServer, bad: String) throws -> String {
        let index = "\(fixture.root)/index.txt"
        let names = fixture.files.map(\.name)
        switch fault {
        case .serverError:
            server.inject(.status(503), for: bad, times: nil)
            return "`\(bad)` answers 503 to every request"
        case .timeout:
            server.inject(.delay(4), for: bad, times: nil)
            return "`\(bad)` answers after 4 s (the file timeout is 1.5 s)"
        case .slowDrip:
            server.inject(.drip(bytes: 64, interval: 0.1), for: bad, times: nil)
            return "`\(bad)` is sent 64 bytes every 0.1 s, its true length announced"
        case .truncatedBody:
            let size = try Data(contentsOf: fixture.folder.appendingPathComponent(bad)).count
            server.inject(.truncate(keep: size / 2), for: bad, times: nil)
            return "`\(bad)` is served cut at half its \(size) bytes"
        case .wrongContent:
            server.inject(.replace(Data("<html><body>Service temporarily unavailable</body></html>".utf8)), for: bad, times: nil)
            return "`\(bad)` is answered 200 with an HTML page"
        case .oversizedIndex:
            server.inject(.replace(Data(String(repeating: "\(names[0])\n", count: 5_000).utf8)), for: index, times: nil)
            return "the index is answered with \(5_000 * (names[0].count + 1)) bytes (the limit is 65,536)"
        case .notFoundListed:
            server.inject(.status(404), for: bad, times: nil)
            return "`\(bad)` is listed but answers 404"
        case .tampered:
            server.inject(.flipByte(at: 200), for: bad, times: nil)
            return "`\(bad)` is served with byte 200 inverted"
        case .wronglySigned:
            return "`\(bad)` is signed by another key claiming the state's id and version (310/v2)"
        case .unsortedIndex:
            server.inject(.replace(Data([names[0], names[2], names[1], names[3], names[4]].joined(separator: "\n").utf8)), for: index, times: nil)
            return "the index lists its 2nd and 3rd files in the wrong order"
        case .duplicateIndexLines:
            server.inject(.replace(Data((names + [names[4]]).joined(separator: "\n").utf8)), for: index, times: nil)
            return "the index lists its last file twice"
        case .dotDotEntry:
            server.inject(.replace(Data((names + ["\(fixture.root)/../../etc/passwd"]).joined(separator: "\n").utf8)), for: index, times: nil)
            return "the index lists `\(fixture.root)/../../etc/passwd`"
        case .absoluteEntry:
            server.inject(.replace(Data((["/etc/passwd"] + names).joined(separator: "\n").utf8)), for: index, times: nil)
            return "the index lists `/etc/passwd`"
        case .zipBomb:
            let bomb = try ExportArchiveWriter.zip([("export.bin", Data(count: 128 << 20)), ("export.sig", Data())])
            server.inject(.replace(bomb), for: bad, times: nil)
            return "`\(bad)` is answered with a \(bomb.count / 1024) KiB zip inflating to 128 MiB"
        }
    }

    private func write(_ row: Row) throws {
        guard let folder = ProcessInfo.processInfo.environment["ENMIGRATE_FAULT_REPORT"] else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(row).write(to: URL(fileURLWithPath: folder).appendingPathComponent("\(row.fault).json"))
    }
}
