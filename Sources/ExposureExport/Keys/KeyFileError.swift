/// Why a key file could not be used. Every case names the file and says how to fix it; none
/// ever includes key material.
public enum KeyFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// The file holds no PEM block at all.
    case notPEM(path: String)
    /// The file holds a PEM block of another kind (a private key where a public key belongs, …).
    case wrongKind(path: String, expected: String, found: String)
    /// The PEM block does not decode as an ECDSA P-256 key.
    case notP256(path: String)
    /// A private key file that group or others may read.
    case readableByOthers(path: String, mode: Int)
    /// A private key file that is a symbolic link to a file group or others may read.
    case linkTargetReadableByOthers(path: String, target: String, mode: Int)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read key file: \(reason)"
        case let .notPEM(path):
            return "\(path): not a PEM file (expected a '-----BEGIN … KEY-----' block)"
        case let .wrongKind(path, expected, found):
            return "\(path): expected a PEM '\(expected)' block, found '\(found)'"
                + (found.contains("PRIVATE") ? " — give the public half (openssl ec -in KEY -pubout)" : "")
        case let .notP256(path):
            return "\(path): not an ECDSA P-256 key (Exposure Notifications signs with P-256 / SHA-256)"
        case let .readableByOthers(path, mode):
            return "\(path): private key file is readable by group or others (mode "
                + String(mode, radix: 8) + "); fix it with: chmod 600 \(path)"
        case let .linkTargetReadableByOthers(path, target, mode):
            return "\(path): a link to \(target), which is readable by group or others (mode " + String(mode, radix: 8)
                + "); fix it with: chmod 600 \(target) (a Kubernetes secret: defaultMode 0400 or 0600)"
        }
    }
}
