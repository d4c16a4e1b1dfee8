import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationStores
@testable import MigrationWorkers

/// A generated export feed on disk (`<folder>/<root>/<start>-<end>-00001.zip` and the index),
/// signed like a state server signs it, with the keys of each file known to the test.
struct FeedFixture {
    let folder: URL
    let root: String
    var files: [(name: String, keys: [ExportKey])] = []

    static let day: UInt64 = 86_400
    /// 2026-11-01T00:00Z: file `i` covers day `i` after it.
    static let firstDay: UInt64 = 1_793_491_200

    init(root: String = "exposureKeyExport-US-XX") {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-feed-\(UUID().uuidString)")
        self.root = root
    }

    var store: FileBlobStore { FileBlobStore(root: folder) }

    /// Random valid keys (expired, so their created_at is the import time).
    static func keys(_ count: Int, reportType: Int? = 1) -> [ExportKey] {
        (0..<count).map { _ in
            ExportKey(
                keyData: Data((0..<16).map { _ in UInt8.random(in: 0...255) }), transmissionRiskLevel: Int32.random(in: 1...8),
                rollingStartIntervalNumber: Int32(firstDay / 600) - 144 * 3, reportType: reportType, daysSinceOnsetOfSymptoms: 2)
        }
    }

    /// Adds a file for day `files.count`, signed by `signer`, and rewrites the index. `region`
    /// and `end` (the header's end timestamp; the name keeps the day) make files that make no sense.
    @discardableResult
    mutating func add(
        _ keys: [ExportKey], revised: [ExportKey] = [], signer: ExportSigner, region: String = "US-XX",
        end: UInt64? = nil
    ) async throws -> String {
        let start = Self.firstDay + UInt64(files.count) * Self.day
        let batch = ExportBatch(start: start, end: start + Self.day, region: region, keys: keys, revisedKeys: revised)
        let file = try require(batch.files(root: root, maxKeysPerFile: 100_000).first)
        var contents = file.contents
        if let end { contents.endTimestamp = end }
        try await store.write(try ExportArchiveWriter(signers: [signer]).archive(for: contents), to: file.name)
        files.append((file.name, keys))
        try await store.write(Data(ExportIndex(entries: files.map(\.name)).text.utf8), to: "\(root)/index.txt")
        return file.name
    }

    /// Serves the folder over a real loopback HTTP server.
    func serve() async throws -> LoopbackFeedServer {
        try await LoopbackFeedServer.start(serving: folder)
    }
}

/// Signers and trusted keys for the tests.
enum TestKeys {
    static let state = ExportSigner(key: .generate(), keyID: "310", keyVersion: "v2")
    static let client = ExportSigner(key: .generate(), keyID: "310", keyVersion: "v1")
    static let national = ExportSigner(key: .generate(), keyID: "310", keyVersion: "v3")
    /// Claims to be the state's key (same id and version) but is another key: a forger.
    static let forger = ExportSigner(key: .generate(), keyID: "310", keyVersion: "v2")
}

/// An environment that never really sleeps, with a fixed clock.
func testEnvironment(now: Date = Date(timeIntervalSince1970: 1_795_000_000)) -> WorkerEnvironment {
    WorkerEnvironment(now: { now }, sleep: { _ in })
}

struct MissingValue: Error {}

/// `#require` for async test helpers outside a test function.
func require<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}
