import Foundation
@testable import ExposureExport

/// Keys and batches made up for tests, deterministic from a seed so failures reproduce.
enum TestFixtures {
    /// `count` distinct 16-byte keys with varied metadata.
    static func keys(_ count: Int, seed: UInt64 = 1) -> [ExportKey] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { index in
            var bytes = Data(count: 16)
            for offset in 0..<16 { bytes[offset] = UInt8(truncatingIfNeeded: generator.next()) }
            return ExportKey(
                keyData: bytes,
                transmissionRiskLevel: Int32(index % 9),
                rollingStartIntervalNumber: 2_650_000 + Int32(index % 14) * 144,
                rollingPeriod: index % 7 == 0 ? 100 : 144,
                reportType: 1,
                daysSinceOnsetOfSymptoms: Int32(index % 5) - 2
            )
        }
    }

    static func signer(id: String = "310", version: String = "v1") -> ExportSigner {
        ExportSigner(key: .generate(), keyID: id, keyVersion: version)
    }
}

/// A small deterministic random generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
