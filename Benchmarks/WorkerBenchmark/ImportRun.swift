import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationStores
import MigrationWorkers

/// Serves `FOLDER/feed` over loopback HTTP and imports it into a fresh `FOLDER/keys.db`, or into
/// PostgreSQL (the schema must not exist yet), timing the import pass alone; with
/// `ENMIGRATE_BENCH_REPLICA` set, as one of several replicas sharing the import.
struct ImportRun {
    let folder: URL
    let postgres: String?

    func run() async throws {
        let pem = try String(contentsOf: folder.appendingPathComponent("state.pub.pem"), encoding: .utf8)
        let trusted = TrustedKey(keyID: WorkerBenchmark.keyID, keyVersion: WorkerBenchmark.stateKeyVersion, publicKey: try ExportPublicKey(pem: pem))
        let store: any ExposureKeyStore
        if let postgres {
            // `&layout=reference&table=…`: a reference server's table, keys marked as its importer marks them.
            let lineage = ReferenceLineage(
                indexFile: "http://127.0.0.1/\(WorkerBenchmark.stateRoot)/index.txt", exportRoot: "http://127.0.0.1/",
                region: "US-XX")
            store = try PostgresKeyStore(location: try PostgresLocation(url: postgres), lineage: lineage)
            _ = try await store.keyCount() // creates the tables before the clock starts, as the file is created below
        } else {
            let database = folder.appendingPathComponent("keys.db").path
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
            store = try SQLiteKeyStore(path: database)
        }
        let server = try await LoopbackFeedServer.start(serving: folder.appendingPathComponent("feed"))
        var importer = FeedImporter(
            feed: HTTPBlobStore(base: server.baseURL), indexPath: "\(WorkerBenchmark.stateRoot)/index.txt", root: WorkerBenchmark.stateRoot,
            trustedKeys: TrustedStateKeySet([.init(key: trusted)]), transform: ImportedKeyTransform(region: "US-XX"),
            keyStore: store, concurrency: 4)
        // ENMIGRATE_BENCH_REPLICA=NAME: one of several replicas sharing the import (claims), each
        // passing until nothing is left to claim and nothing is claimed by another.
        let replica = ProcessInfo.processInfo.environment["ENMIGRATE_BENCH_REPLICA"]
        if let replica { importer.sharing = ImportSharing(owner: replica) }
        let clock = ContinuousClock.now
        var summary = try await importer.runPass()
        var imported = summary.imported
        while replica != nil, summary.attempted > 0 || !summary.claimedElsewhere.isEmpty {
            if summary.attempted == 0 { try await Task.sleep(for: .milliseconds(20)) }
            summary = try await importer.runPass()
            imported += summary.imported
        }
        summary.imported = imported
        let elapsed = ContinuousClock.now - clock
        await server.stop()
        let keys = try await store.keyCount()
        guard summary.failed.isEmpty, summary.retrying.isEmpty else { WorkerBenchmark.fail("import left files failed or retrying: \(summary)") }
        WorkerBenchmark.report(["files": Double(summary.imported), "keys": Double(keys)], seconds: elapsed)
    }
}
