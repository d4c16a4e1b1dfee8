import Crypto
import Foundation

extension Data {
    /// The SHA-256 of these bytes as 64 lowercase hex digits: how digests of export.bin and
    /// source files are recorded and compared.
    public var sha256Hex: String {
        SHA256.hash(data: self).map { String(format: "%02x", $0) }.joined()
    }
}
