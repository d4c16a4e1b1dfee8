import ExposureExport
import Foundation

/// Measures the codec on a nightly-import-sized workload: 1,008,000 keys in 70 files
/// (14 days × 72,000 keys, 14,400 keys per file), build+sign then parse+verify, in memory.
@main
enum CodecBenchmark {
    static func main() throws {
        let files = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 70
        let keysPerFile = 14_400
        let signer = ExportSigner(key: .generate(), keyID: "310", keyVersion: "v1")
        var generator = SystemRandomNumberGenerator()
        let batches = (0..<files).map { index in
            ExportBatch(
                start: 1_600_000_000 + UInt64(index) * 86_400 / 5, end: 1_600_000_000 + UInt64(index + 1) * 86_400 / 5,
                region: "US",
                keys: (0..<keysPerFile).map { _ in
                    var words = [generator.next(), generator.next()]
                    let bytes = Data(bytes: &words, count: 16)
                    return ExportKey(keyData: bytes, transmissionRiskLevel: 4, rollingStartIntervalNumber: 2_666_000, reportType: 1)
                })
        }
        let total = files * keysPerFile
        let writer = ExportArchiveWriter(signers: [signer])

        let buildClock = ContinuousClock.now
        var archives: [Data] = []
        for batch in batches {
            for file in batch.files(root: "exposureKeyExport-US", maxKeysPerFile: 17_000) {
                archives.append(try writer.archive(for: file.contents))
            }
        }
        let buildSeconds = seconds(ContinuousClock.now - buildClock)

        let verifier = ExportVerifier(trustedKeys: [signer.trustedKey], policy: .phone)
        let readClock = ContinuousClock.now
        var decoded = 0
        for (index, data) in archives.enumerated() {
            let archive = try ExportArchive.read(zip: data, name: "file-\(index)")
            _ = try verifier.verify(archive)
            decoded += try archive.contents().keys.count
        }
        let readSeconds = seconds(ContinuousClock.now - readClock)
        precondition(decoded == total, "decoded \(decoded) of \(total) keys")

        let bytes = archives.reduce(0) { $0 + $1.count }
        print("workload:       \(total) keys in \(archives.count) files, \(bytes / 1024) KiB of archives")
        print(String(format: "build+sign:     %.2f s  %9.0f keys/s", buildSeconds, Double(total) / buildSeconds))
        print(String(format: "parse+verify:   %.2f s  %9.0f keys/s", readSeconds, Double(total) / readSeconds))
        print("peak RSS:       \(peakResidentKiB() / 1024) MiB")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func peakResidentKiB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss)
    }
}
