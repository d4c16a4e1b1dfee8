import Crypto
import Foundation

/// An ECDSA P-256 private key that signs export files.
///
/// Its `description` never shows key material, so it is safe to interpolate into logs.
public struct ExportSigningKey: Sendable, CustomStringConvertible {
    /// The private key.
    public let key: P256.Signing.PrivateKey
    /// Its public half.
    public let publicKey: ExportPublicKey

    /// Wraps a key.
    public init(_ key: P256.Signing.PrivateKey) {
        self.key = key
        self.publicKey = ExportPublicKey(key.publicKey)
    }

    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
    /// - Parameter path: only used to name the source in errors.
    public init(pem: String, path: String = "<pem>") throws(KeyFileError) {
        guard let block = PEMBlock(pem) else { throw .notPEM(path: path) }
        guard block.label == "PRIVATE KEY" || block.label == "EC PRIVATE KEY" else {
            throw .wrongKind(path: path, expected: "PRIVATE KEY or EC PRIVATE KEY", found: block.label)
        }
        do {
            self.init(try P256.Signing.PrivateKey(pemRepresentation: block.text))
        } catch {
            throw .notP256(path: path)
        }
    }

    /// Loads a PEM private key file, refusing one that group or others can read.
    public static func load(contentsOf url: URL) throws(KeyFileError) -> ExportSigningKey {
        // What the file is comes first: a public key given as `privateKey` is that mistake, not a
        // permissions problem (a public key file is rightly readable by all).
        let text = try KeyFileReader.readText(url)
        if let block = PEMBlock(text), !block.label.contains("PRIVATE") {
            throw .wrongKind(path: url.path, expected: "PRIVATE KEY or EC PRIVATE KEY", found: block.label)
        }
        try KeyFileReader.requirePrivatePermissions(url)
        return try ExportSigningKey(pem: text, path: url.path)
    }

    /// A freshly generated key (tests, rehearsals, the demo).
    public static func generate() -> ExportSigningKey {
        ExportSigningKey(P256.Signing.PrivateKey())
    }

    /// PKCS#8 PEM text of the private key, for writing a key file with mode 0600.
    public var pemRepresentation: String { key.pemRepresentation }

    public var description: String { "ExportSigningKey(\(publicKey.fingerprint))" }
}
