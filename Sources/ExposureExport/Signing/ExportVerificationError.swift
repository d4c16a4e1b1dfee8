/// Why an export file did not verify. Every case names the file.
public enum ExportVerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file itself could not be read.
    case unreadable(ExportFileError)
    /// The file carries no signature at all (no export.sig, or an empty one).
    case noSignatures(file: String)
    /// No signature names the trusted key's id and version.
    case noMatchingSignature(file: String, wanted: [String], available: [String])
    /// A matching signature exists but does not verify with the key: tampered or wrong key.
    case signatureMismatch(file: String, label: String, fingerprint: KeyFingerprint)
    /// The matching signature is raw r‖s; phones, and so the pipeline, require DER.
    case rawSignatureRefused(file: String, label: String)
    /// The matching signature is neither DER nor raw r‖s.
    case unreadableSignature(file: String, label: String, bytes: Int)

    public var description: String {
        switch self {
        case let .unreadable(error):
            return error.description
        case let .noSignatures(file):
            return "\(file): no signature (export.sig is missing or empty)"
        case let .noMatchingSignature(file, wanted, available):
            let have = available.isEmpty ? "none" : available.map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): no signature for key id.version "
                + wanted.map { "'\($0)'" }.joined(separator: " or ") + " (the file has \(have))"
        case let .signatureMismatch(file, label, fingerprint):
            return "\(file): signature '\(label)' does not verify with key \(fingerprint): "
                + "the file was changed after signing or was signed by another key"
        case let .rawSignatureRefused(file, label):
            return "\(file): signature '\(label)' is raw r||s, not DER; phones reject it"
        case let .unreadableSignature(file, label, bytes):
            return "\(file): signature '\(label)' (\(bytes) bytes) is neither DER nor raw r||s"
        }
    }

    /// A short stable code for scripts (`--json`).
    public var code: String {
        switch self {
        case let .unreadable(error): error.code
        case .noSignatures: "no-signatures"
        case .noMatchingSignature: "no-matching-signature"
        case .signatureMismatch: "signature-mismatch"
        case .rawSignatureRefused: "raw-signature-refused"
        case .unreadableSignature: "unreadable-signature"
        }
    }
}
