import Crypto
import Foundation

/// The SHA-256 of a public key's DER SubjectPublicKeyInfo, written as lowercase hex.
///
/// Used in messages and checks to name a key without showing it: two files hold the same
/// public key exactly when their fingerprints are equal.
public struct KeyFingerprint: Hashable, Sendable, CustomStringConvertible, Codable {
    /// All 64 hex digits.
    public let hex: String

    /// The fingerprint of a DER-encoded SubjectPublicKeyInfo.
    public init(spkiDER: Data) {
        hex = spkiDER.sha256Hex
    }

    /// The first 16 hex digits, enough to tell keys apart in a message.
    public var short: String { String(hex.prefix(16)) }

    public var description: String { "sha256:\(short)" }
}
