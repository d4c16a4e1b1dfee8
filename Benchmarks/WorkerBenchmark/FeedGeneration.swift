import ExposureExport
import Foundation

/// Writes a feed of random keys signed with a new key (310/v1): `FOLDER/feed/<root>/…` with its index, the public key
/// as `FOLDER/state.pub.pem`, and (unless `writeRows` is off) `FOLDER/rows.csv`, the rows the
/// importer will store, for the `sqlite3 .import` baseline. The files cover the 14 days before
/// today, like a state's feed the night before a migration.
///
/// `realistic` (the default) writes what a state's reference server publishes: one batch a day,
/// its keys sorted by key bytes and cut into files of `keysPerFile` (5 a day on the nightly
/// workload, named `<start>-<end>-0000N.zip`), keys of mixed ages (rolling periods from the
/// batch's day back to 13 days before it; none still running, as the reference server embargoes
/// a key until its period ends), days since onset −14…14 and
/// transmission risk 0, as most apps upload it. `--uniform` writes the earlier, kinder feed:
/// one batch per file, every key three days old, risk 1–8, two days since onset.
struct FeedGeneration {
    let folder: URL
    let files: Int
    let keysPerFile: Int
    let writeRows: Bool
    var realistic = true
    /// Files a day in the realistic layout.
    var filesPerDay = 5

    func run() throws {
        if realistic { return try runRealistic() }
        let signer = ExportSigner(key: .generate(), keyID: WorkerBenchmark.keyID, keyVersion: WorkerBenchmark.stateKeyVersion)
        let feed = folder.appendingPathComponent("feed/\(WorkerBenchmark.stateRoot)")
        try FileManager.default.createDirectory(at: feed, withIntermediateDirectories: true)
        try Data(signer.key.publicKey.pemRepresentation.utf8).write(to: folder.appendingPathComponent("state.pub.pem"))
        let csv: FileHandle? = writeRows ? try rowsFile() : nil
        defer { try? csv?.close() }
        let writer = ExportArchiveWriter(signers: [signer])
        let firstStart = UInt64((Int(Date().timeIntervalSince1970) / 86_400 - 14) * 86_400)
        let batchSeconds = UInt64(14 * 86_400 / max(files, 1))
        var names: [String] = []
        var generator = SystemRandomNumberGenerator()
        for index in 0..<files {
            let start = firstStart + UInt64(index) * batchSeconds
            var rows = ""
            let keys = (0..<keysPerFile).map { _ in
                var words = [generator.next(), generator.next()]
                let key = ExportKey(
                    keyData: Data(bytes: &words, count: 16), transmissionRiskLevel: Int32.random(in: 1...8),
                    rollingStartIntervalNumber: Int32(start / 600) - 144 * 3, reportType: 1, daysSinceOnsetOfSymptoms: 2)
                if csv != nil {
                    // The same ten columns the key store writes (key as hex: sqlite3 .import reads text).
                    rows +=
                        "\(key.keyData.map { String(format: "%02x", $0) }.joined()),\(key.transmissionRiskLevel ?? 0),"
                        + "\(key.rollingStartIntervalNumber ?? 0),144,confirmed,2,US-XX,0,2026-11-30 00:00:00.000,\(index + 1)\n"
                }
                return key
            }
            let batch = ExportBatch(start: start, end: start + batchSeconds, region: "US-XX", keys: keys)
            for file in batch.files(root: WorkerBenchmark.stateRoot, maxKeysPerFile: max(keysPerFile, 1)) {
                try writer.archive(for: file.contents).write(to: folder.appendingPathComponent("feed/\(file.name)"))
                names.append(file.name)
            }
            csv?.write(Data(rows.utf8))
        }
        try Data(ExportIndex(entries: names).text.utf8).write(to: feed.appendingPathComponent("index.txt"))
        print("generated \(files * keysPerFile) keys in \(names.count) files")
    }

    private func runRealistic() throws {
        let signer = ExportSigner(key: .generate(), keyID: WorkerBenchmark.keyID, keyVersion: WorkerBenchmark.stateKeyVersion)
        let feed = folder.appendingPathComponent("feed/\(WorkerBenchmark.stateRoot)")
        try FileManager.default.createDirectory(at: feed, withIntermediateDirectories: true)
        try Data(signer.key.publicKey.pemRepresentation.utf8).write(to: folder.appendingPathComponent("state.pub.pem"))
        let csv: FileHandle? = writeRows ? try rowsFile() : nil
        defer { try? csv?.close() }
        let writer = ExportArchiveWriter(signers: [signer])
        let days = max(files / filesPerDay, 1)
        let today = UInt64(Int(Date().timeIntervalSince1970) / 86_400 * 86_400)
        var names: [String] = []
        var generator = SystemRandomNumberGenerator()
        for day in 0..<days {
            let end = today - UInt64(days - 1 - day) * 86_400, start = end - 86_400
            let keys = (0..<(keysPerFile * filesPerDay)).map { _ in
                var words = [generator.next(), generator.next()]
                let age = Int32.random(in: 0...13, using: &generator)
                return ExportKey(
                    keyData: Data(bytes: &words, count: 16), transmissionRiskLevel: 0,
                    rollingStartIntervalNumber: Int32(start / 600) - 144 * age, reportType: 1,
                    daysSinceOnsetOfSymptoms: Int32.random(in: -14...14, using: &generator))
            }
            let batch = ExportBatch(start: start, end: end, region: "US-XX", keys: keys)
            for file in batch.files(root: WorkerBenchmark.stateRoot, maxKeysPerFile: max(keysPerFile, 1)) {
                try writer.archive(for: file.contents).write(to: folder.appendingPathComponent("feed/\(file.name)"))
                names.append(file.name)
                guard let csv else { continue }
                // The columns the key store writes: risk 0 is stored as 2 (confirmed), as the importer backfills it.
                var rows = ""
                for key in file.contents.keys {
                    rows +=
                        "\(key.keyData.map { String(format: "%02x", $0) }.joined()),2,\(key.rollingStartIntervalNumber ?? 0),144,confirmed,"
                        + "\(key.daysSinceOnsetOfSymptoms ?? 0),US-XX,0,2026-11-30 00:00:00.000,\(names.count)\n"
                }
                csv.write(Data(rows.utf8))
            }
        }
        try Data(ExportIndex(entries: names).text.utf8).write(to: feed.appendingPathComponent("index.txt"))
        print("generated \(names.count) files of a realistic feed (\(days) days)")
    }

    private func rowsFile() throws -> FileHandle {
        let url = folder.appendingPathComponent("rows.csv")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return try FileHandle(forWritingTo: url)
    }
}
