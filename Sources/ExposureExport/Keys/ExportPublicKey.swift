import Crypto
import Foundation

/// An ECDSA P-256 public key that verifies export files, with its fingerprint.
public struct ExportPublicKey: Sendable, Equatable {
    /// The key itself.
    public let key: P256.Signing.PublicKey
    /// SHA-256 of its DER SubjectPublicKeyInfo.
    public let fingerprint: KeyFingerprint

    /// Wraps a key.
    public init(_ key: P256.Signing.PublicKey) {
        self.key = key
        self.fingerprint = KeyFingerprint(spkiDER: key.derRepresentation)
    }

    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) block.
    /// - Parameter path: only used to name the source in errors.
    public init(pem: String, path: String = "<pem>") throws(KeyFileError) {
        guard let block = PEMBlock(pem) else { throw .notPEM(path: path) }
        guard block.label == "PUBLIC KEY" else {
            throw .wrongKind(path: path, expected: "PUBLIC KEY", found: block.label)
        }
        do {
            self.init(try P256.Signing.PublicKey(pemRepresentation: block.text))
        } catch {
            throw .notP256(path: path)
        }
    }

    /// Loads a PEM public key file.
    public static func load(contentsOf url: URL) throws(KeyFileError) -> ExportPublicKey {
        let text = try KeyFileReader.readText(url)
        return try ExportPublicKey(pem: text, path: url.path)
    }

    /// The PEM text of the key (SubjectPublicKeyInfo), as sent to Apple/Google and importers.
    public var pemRepresentation: String { key.pemRepresentation }

    public static func == (lhs: ExportPublicKey, rhs: ExportPublicKey) -> Bool {
        lhs.fingerprint == rhs.fingerprint
    }
}
