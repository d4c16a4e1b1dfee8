import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationStores
import MigrationWorkers

/// The export-importer on a nightly-sized workload, in release mode (scripts/bench-import).
///
/// `generate FOLDER FILES KEYS_PER_FILE` writes a signed second feed (`FOLDER/feed/<root>/…`),
/// the public key, and `FOLDER/rows.csv`: the rows the importer will store, for the
/// `sqlite3 .import` baseline. `import FOLDER` serves the feed over loopback HTTP and imports it
/// into a fresh `FOLDER/keys.db`, then prints seconds, keys and peak RSS as one JSON line.
/// Generation and import run in separate processes so peak RSS is the importer's alone.
@main
enum ImportBenchmark {
    static let root = "exposureKeyExport-US-XX"
    static let keyID = "310"
    static let keyVersion = "v2"

    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch (arguments.first, arguments.count) {
        case ("generate", 4):
            try generate(folder: URL(fileURLWithPath: arguments[1]), files: Int(arguments[2]) ?? 70, keysPerFile: Int(arguments[3]) ?? 14_400)
        case ("import", 2):
            try await importFeed(folder: URL(fileURLWithPath: arguments[1]), postgres: nil)
        case ("import", 3):
            try await importFeed(folder: URL(fileURLWithPath: arguments[1]), postgres: try PostgresLocation(url: arguments[2]))
        default:
            FileHandle.standardError.write(Data("usage: ImportBenchmark generate FOLDER FILES KEYS_PER_FILE | import FOLDER [postgres://…]\n".utf8))
            exit(2)
        }
    }

    /// One file per batch of 14 days × 5 batches a day, keys random, rows mirrored in CSV.
    static func generate(folder: URL, files: Int, keysPerFile: Int) throws {
        let signer = ExportSigner(key: .generate(), keyID: keyID, keyVersion: keyVersion)
        let feed = folder.appendingPathComponent("feed/\(root)")
        try FileManager.default.createDirectory(at: feed, withIntermediateDirectories: true)
        try Data(signer.key.publicKey.pemRepresentation.utf8).write(to: folder.appendingPathComponent("state.pub.pem"))
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("rows.csv").path, contents: nil)
        let csv = try FileHandle(forWritingTo: folder.appendingPathComponent("rows.csv"))
        defer { try? csv.close() }
        let writer = ExportArchiveWriter(signers: [signer])
        let firstStart: UInt64 = 1_793_491_200
        let batchSeconds: UInt64 = 86_400 / 5
        var names: [String] = []
        var generator = SystemRandomNumberGenerator()
        for index in 0..<files {
            let start = firstStart + UInt64(index) * batchSeconds
            var rows = ""
            let keys = (0..<keysPerFile).map { _ in
                var words = [generator.next(), generator.next()]
                let key = ExportKey(keyData: Data(bytes: &words, count: 16), transmissionRiskLevel: Int32.random(in: 1...8),
                                    rollingStartIntervalNumber: Int32(start / 600) - 144 * 3, reportType: 1, daysSinceOnsetOfSymptoms: 2)
                // The same ten columns the key store writes (key as hex: sqlite3 .import reads text).
                rows += "\(key.keyData.map { String(format: "%02x", $0) }.joined()),\(key.transmissionRiskLevel ?? 0),"
                    + "\(key.rollingStartIntervalNumber ?? 0),144,confirmed,2,US-XX,0,2026-11-30 00:00:00.000,\(index + 1)\n"
                return key
            }
            let batch = ExportBatch(start: start, end: start + batchSeconds, region: "US-XX", keys: keys)
            for file in batch.files(root: root, maxKeysPerFile: max(keysPerFile, 1)) {
                try writer.archive(for: file.contents).write(to: folder.appendingPathComponent("feed/\(file.name)"))
                names.append(file.name)
            }
            csv.write(Data(rows.utf8))
        }
        try Data(ExportIndex(entries: names).text.utf8).write(to: feed.appendingPathComponent("index.txt"))
        print("generated \(files * keysPerFile) keys in \(names.count) files")
    }

    /// Imports into a fresh SQLite file, or into PostgreSQL (the schema must not exist yet).
    static func importFeed(folder: URL, postgres: PostgresLocation?) async throws {
        let pem = try String(contentsOf: folder.appendingPathComponent("state.pub.pem"), encoding: .utf8)
        let trusted = TrustedKey(keyID: keyID, keyVersion: keyVersion, publicKey: try ExportPublicKey(pem: pem))
        let store: any ExposureKeyStore
        if let postgres {
            store = try PostgresKeyStore(location: postgres)
            _ = try await store.keyCount()  // creates the tables before the clock starts, as the file is created below
        } else {
            let database = folder.appendingPathComponent("keys.db").path
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
            store = try SQLiteKeyStore(path: database)
        }
        let server = try await LoopbackFeedServer.start(serving: folder.appendingPathComponent("feed"))
        let importer = FeedImporter(
            feed: HTTPBlobStore(base: server.baseURL), indexPath: "\(root)/index.txt", root: root,
            trustedKeys: TrustedStateKeySet([.init(key: trusted)]), transform: ImportedKeyTransform(region: "US-XX"),
            keyStore: store, concurrency: 4)
        let clock = ContinuousClock.now
        let summary = try await importer.runPass()
        let elapsed = ContinuousClock.now - clock
        await server.stop()
        let keys = try await store.keyCount()
        guard summary.failed.isEmpty, summary.retrying.isEmpty else {
            FileHandle.standardError.write(Data("import left files failed or retrying: \(summary)\n".utf8))
            exit(1)
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(#"{"files":\#(summary.attempted),"keys":\#(keys),"seconds":\#(seconds),"peakRSSKiB":\#(peakResidentKiB())}"#)
    }

    static func peakResidentKiB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss)
    }
}
