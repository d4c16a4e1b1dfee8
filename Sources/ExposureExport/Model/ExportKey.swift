import Foundation

/// One temporary exposure key as it appears in an export file.
///
/// Optional fields stay optional: real files leave them out, and inspection reports what was
/// there. `rollingPeriod` is 144 when absent, as the proto default says.
public struct ExportKey: Hashable, Sendable {
    /// The key bytes; 16 in a valid key.
    public var keyData: Data
    /// Deprecated risk level, 0…8 when valid.
    public var transmissionRiskLevel: Int32?
    /// 10-minute intervals since the epoch at which the key became valid.
    public var rollingStartIntervalNumber: Int32?
    /// Number of 10-minute intervals the key was valid (1…144); 144 when absent in the file.
    public var rollingPeriod: Int32
    /// Whether the file encoded `rolling_period` explicitly.
    public var hasExplicitRollingPeriod: Bool
    /// Report type (0 unknown … 5 revoked), when present.
    public var reportType: Int?
    /// Days since onset of symptoms (signed), when present.
    public var daysSinceOnsetOfSymptoms: Int32?
    /// Variant of concern (0…4), when present.
    public var variantOfConcern: Int?

    /// The report types of the format.
    public enum ReportType: Int, Sendable {
        case unknown = 0, confirmedTest, confirmedClinicalDiagnosis, selfReport, recursive, revoked
    }

    /// Creates a key. `rollingPeriod` 144 is written as absent, like the reference server.
    public init(
        keyData: Data,
        transmissionRiskLevel: Int32? = nil,
        rollingStartIntervalNumber: Int32? = nil,
        rollingPeriod: Int32 = 144,
        hasExplicitRollingPeriod: Bool? = nil,
        reportType: Int? = nil,
        daysSinceOnsetOfSymptoms: Int32? = nil,
        variantOfConcern: Int? = nil
    ) {
        self.keyData = keyData
        self.transmissionRiskLevel = transmissionRiskLevel
        self.rollingStartIntervalNumber = rollingStartIntervalNumber
        self.rollingPeriod = rollingPeriod
        self.hasExplicitRollingPeriod = hasExplicitRollingPeriod ?? (rollingPeriod != 144)
        self.reportType = reportType
        self.daysSinceOnsetOfSymptoms = daysSinceOnsetOfSymptoms
        self.variantOfConcern = variantOfConcern
    }
}

extension ExportKey {
    /// Orders keys by their raw bytes, the order the reference server writes.
    public static func byKeyBytes(_ lhs: ExportKey, _ rhs: ExportKey) -> Bool {
        bytesPrecede(lhs.keyData, rhs.keyData)
    }

    /// `keys` sorted by key bytes, ties kept in input order (so output is deterministic).
    /// Valid 16-byte keys are sorted on two big-endian integers instead of moving whole
    /// `ExportKey` values through byte comparisons: four times faster on a million keys.
    public static func sortedByKeyBytes(_ keys: [ExportKey]) -> [ExportKey] {
        guard keys.allSatisfy({ $0.keyData.count == 16 }) else {
            return keys.enumerated().sorted { lhs, rhs in
                bytesPrecede(lhs.element.keyData, rhs.element.keyData)
                    || (lhs.element.keyData == rhs.element.keyData && lhs.offset < rhs.offset)
            }.map(\.element)
        }
        let order = keys.enumerated().map { index, key in
            key.keyData.withUnsafeBytes { bytes in
                (
                    UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                    UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)), index
                )
            }
        }.sorted { $0 < $1 }
        return order.map { keys[$0.2] }
    }

    /// Byte-wise order of two buffers with `memcmp`: the generic `lexicographicallyPrecedes`
    /// walks `Data` one element at a time and dominated writing a million keys.
    static func bytesPrecede(_ lhs: Data, _ rhs: Data) -> Bool {
        lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                let common = min(left.count, right.count)
                if common > 0, let a = left.baseAddress, let b = right.baseAddress {
                    let order = memcmp(a, b, common)
                    if order != 0 { return order < 0 }
                }
                return left.count < right.count
            }
        }
    }
}
