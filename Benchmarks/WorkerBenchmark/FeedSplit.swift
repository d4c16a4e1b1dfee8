import ExposureExport
import Foundation

/// Unpacks every file a feed's index lists into `OUT/<n>/export.bin`, `export.sig` and
/// `signature.der` (the first signature's DER bytes), the inputs of the `zip -6` and
/// `openssl dgst -verify` baselines. Not timed.
struct FeedSplit {
    let feed: URL
    let output: URL

    func run() throws {
        let indexURL = try FileManager.default.contentsOfDirectory(at: feed, includingPropertiesForKeys: nil)
            .map { $0.appendingPathComponent("index.txt") }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        guard let indexURL else { WorkerBenchmark.fail("no <root>/index.txt under \(feed.path)") }
        let index = try ExportIndex.parse(String(contentsOf: indexURL, encoding: .utf8), file: indexURL.path)
        for (number, entry) in index.entries.enumerated() {
            let archive = try ExportArchive.load(contentsOf: ExportIndex.base(forIndexAt: indexURL).appendingPathComponent(entry))
            guard let sig = archive.exportSig, let first = try archive.signatures().first else { WorkerBenchmark.fail("\(entry) has no signature") }
            let folder = output.appendingPathComponent(String(number))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try archive.exportBin.write(to: folder.appendingPathComponent("export.bin"))
            try sig.write(to: folder.appendingPathComponent("export.sig"))
            try first.bytes.write(to: folder.appendingPathComponent("signature.der"))
        }
        print("split \(index.entries.count) files")
    }
}
