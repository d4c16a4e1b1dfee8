import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationStores
import MigrationWorkers

/// Serves `FOLDER/feed` over loopback HTTP and imports it into a fresh `FOLDER/keys.db`, or into
/// PostgreSQL (the schema must not exist yet), timing the import pass alone.
struct ImportRun {
    let folder: URL
    let postgres: String?

    func run() async throws {
        let pem = try String(contentsOf: folder.appendingPathComponent("state.pub.pem"), encoding: .utf8)
        let trusted = TrustedKey(keyID: WorkerBenchmark.keyID, keyVersion: WorkerBenchmark.stateKeyVersion, publicKey: try ExportPublicKey(pem: pem))
        let store: any ExposureKeyStore
        if let postgres {
            store = try PostgresKeyStore(location: try PostgresLocation(url: postgres))
            _ = try await store.keyCount()  // creates the tables before the clock starts, as the file is created below
        } else {
            let database = folder.appendingPathComponent("keys.db").path
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
            store = try SQLiteKeyStore(path: database)
        }
        let server = try await LoopbackFeedServer.start(serving: folder.appendingPathComponent("feed"))
        let importer = FeedImporter(
            feed: HTTPBlobStore(base: server.baseURL), indexPath: "\(WorkerBenchmark.stateRoot)/index.txt", root: WorkerBenchmark.stateRoot,
            trustedKeys: TrustedStateKeySet([.init(key: trusted)]), transform: ImportedKeyTransform(region: "US-XX"),
            keyStore: store, concurrency: 4)
        let clock = ContinuousClock.now
        let summary = try await importer.runPass()
        let elapsed = ContinuousClock.now - clock
        await server.stop()
        let keys = try await store.keyCount()
        guard summary.failed.isEmpty, summary.retrying.isEmpty else { WorkerBenchmark.fail("import left files failed or retrying: \(summary)") }
        WorkerBenchmark.report(["files": Double(summary.attempted), "keys": Double(keys)], seconds: elapsed)
    }
}
