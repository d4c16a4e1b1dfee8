import Crypto
import Foundation

/// A signing key with the key id and version phones know it by.
public struct ExportSigner: Sendable {
    /// The private key.
    public let key: ExportSigningKey
    /// The signature info written for it (id, version, the ECDSA-SHA256 OID).
    public let info: ExportSignatureInfo

    /// Creates a signer.
    public init(key: ExportSigningKey, keyID: String, keyVersion: String) {
        self.key = key
        self.info = ExportSignatureInfo(keyID: keyID, keyVersion: keyVersion)
    }

    /// A DER ECDSA P-256 signature over SHA-256 of `exportBin` (header included).
    func sign(digest: SHA256.Digest) throws -> Data {
        try key.key.signature(for: digest).derRepresentation
    }

    /// The trusted-key view of this signer, for verifying what it wrote.
    public var trustedKey: TrustedKey {
        TrustedKey(keyID: info.keyID, keyVersion: info.keyVersion, publicKey: key.publicKey)
    }
}
