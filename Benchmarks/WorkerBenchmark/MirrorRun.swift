import ExposureExport
import Foundation
import MigrationStores
import MigrationWorkers

/// Mirrors the national feed ``ExportRun`` wrote onto a fresh client CDN folder `FOLDER/cdn/`
/// that already serves the state's index, timing staging (copy, verify with the national key,
/// read back) and the publish (the client index swapped in one atomic write).
struct MirrorRun {
    let folder: URL

    func run() async throws {
        let files = FileManager.default
        let cdn = folder.appendingPathComponent("cdn")
        let stateFile = folder.appendingPathComponent("mirror-state.json")
        try? files.removeItem(at: cdn)
        try? files.removeItem(at: stateFile)
        let root = cdn.appendingPathComponent(WorkerBenchmark.stateRoot)
        try files.createDirectory(at: root, withIntermediateDirectories: true)
        // A state file name as the reference server writes them (`<start>-<end>-<NNNNN>.zip`): it
        // sorts before `national-…`, so phones that resume after the last name fetch the new files
        // (the swap refuses an index where they would not).
        try Data("\(WorkerBenchmark.stateRoot)/1700000000-1700086400-00001.zip\n".utf8).write(to: root.appendingPathComponent("index.txt"))
        let pem = try String(contentsOf: folder.appendingPathComponent("national.pub.pem"), encoding: .utf8)
        let mirror = ClientMirror(
            source: FileBlobStore(root: folder.appendingPathComponent("national")), sourceIndexPath: "\(WorkerBenchmark.nationalRoot)/index.txt",
            nationalKey: TrustedKey(keyID: WorkerBenchmark.keyID, keyVersion: "v3", publicKey: try ExportPublicKey(pem: pem)),
            destination: FileBlobStore(root: cdn), root: WorkerBenchmark.stateRoot, state: .file(stateFile))
        let clock = ContinuousClock.now
        let summary = try await mirror.stage()
        try await mirror.publish()
        let elapsed = ContinuousClock.now - clock
        guard summary.copied == summary.entries, try await mirror.publishedIndexIsOurs() else {
            WorkerBenchmark.fail("the mirror staged \(summary.copied) of \(summary.entries) files or did not publish")
        }
        WorkerBenchmark.report(["files": Double(summary.copied)], seconds: elapsed)
    }
}
