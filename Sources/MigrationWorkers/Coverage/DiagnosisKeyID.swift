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
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        append(to: &bytes)
        return bytes
    }

    /// Appends the 16 key bytes: the digest of a million keys appended them through two mapped
    /// arrays a key.
    func append(to buffer: inout [UInt8]) {
        withUnsafeBytes(of: high.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// One value hashed instead of two: the bits are a random key's, so mixing them first loses
    /// nothing, and hashing was a tenth of reading a million-key feed into a set.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(high ^ (low &* 0x9E37_79B9_7F4A_7C15))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
