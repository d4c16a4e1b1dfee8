import ExposureExport
import Foundation
import MigrationStores
import MigrationWorkers

/// Builds the national feed from the key store ``ImportRun`` filled: copies `FOLDER/keys.db` to
/// `FOLDER/export.db` (so every run starts with no key in a national file), then times one
/// export pass into a fresh `FOLDER/national/<root>/`: assigning keys to files, reading them
/// back, signing, zipping and writing each file, then the index. The national public key is
/// written as `FOLDER/national.pub.pem` for ``MirrorRun``.
///
/// With a `postgres://` URL, the export runs from the PostgreSQL key store ``ImportRun`` filled
/// at that URL instead (run it once per import: the keys stay in their files afterwards).
struct ExportRun {
    let folder: URL
    var postgres: String?

    func run() async throws {
        let files = FileManager.default
        let store: any ExposureKeyStore
        if let postgres {
            store = try PostgresKeyStore(location: try PostgresLocation(url: postgres))
        } else {
            let database = folder.appendingPathComponent("export.db")
            for suffix in ["", "-wal", "-shm"] { try? files.removeItem(atPath: database.path + suffix) }
            try files.copyItem(at: folder.appendingPathComponent("keys.db"), to: database)
            store = try SQLiteKeyStore(path: database.path)
        }
        let national = folder.appendingPathComponent("national")
        try? files.removeItem(at: national)
        let key = ExportSigningKey.generate()
        try Data(key.publicKey.pemRepresentation.utf8).write(to: folder.appendingPathComponent("national.pub.pem"))
        let writer = FeedExportWriter(
            keyStore: store, destination: FileBlobStore(root: national), root: WorkerBenchmark.nationalRoot, region: "US",
            signer: ExportSigner(key: key, keyID: WorkerBenchmark.keyID, keyVersion: "v3"), maxKeysPerFile: 17_000)
        // The pass's two halves, timed apart: assigning every key to a file (the pass would do
        // it first), then reading, signing, zipping and writing the files and the index.
        let clock = ContinuousClock.now
        _ = try await store.assignNationalFiles(root: writer.root, maxKeysPerFile: writer.maxKeysPerFile, cutoff: Date())
        let assigned = ContinuousClock.now
        let written = try await writer.runPass()
        let elapsed = ContinuousClock.now - clock
        let keys = try await store.nationalFiles().reduce(0) { $0 + $1.keyCount }
        WorkerBenchmark.report(
            ["files": Double(written), "keys": Double(keys), "assignSeconds": WorkerBenchmark.seconds(assigned - clock)],
            seconds: elapsed)
    }
}
