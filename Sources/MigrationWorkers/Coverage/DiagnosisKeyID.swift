import Foundation

/// A diagnosis key identified by its 16 key bytes alone (metadata may legitimately differ
/// between feeds, e.g. a backfilled transmission risk), held in two words so a million of
/// them fit in a set without a heap object each.
public struct DiagnosisKeyID: Hashable, Comparable, Sendable {
    public let high: UInt64
    public let low: UInt64

    /// The key's identity, or nil when `keyData` is not 16 bytes.
    public init?(_ keyData: Data) {
        guard keyData.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (offset, byte) in keyData.enumerated() {
            if offset < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.high = high
        self.low = low
    }

    /// The key from 32 hex digits.
    init?(hex: String) {
        guard hex.count == 32, let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16) else { return nil }
        self.init(high: high, low: low)
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The 16 key bytes.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
