import Crypto
import Foundation

/// Verifies export files the way a phone does: pick the signatures whose key id and version
/// match a trusted key, then check ECDSA P-256 over SHA-256 of the whole export.bin.
public struct ExportVerifier: Sendable {
    /// Which signature encodings count.
    public enum Policy: Sendable {
        /// DER only, as phones and the reference importer: the pipeline uses this.
        case phone
        /// DER or 64-byte raw r‖s (2020 pre-launch files): `export verify` and `inspect`.
        case lenient
    }

    /// What verified: the signature and the key.
    public struct Success: Sendable {
        /// The signature that verified.
        public let signature: ExportSignature
        /// The key it verified with.
        public let key: TrustedKey
        /// Whether it was raw r‖s rather than DER (an anomaly under `.lenient`).
        public let wasRaw: Bool
    }

    /// Keys to try, in order.
    public let trustedKeys: [TrustedKey]
    /// Accepted encodings.
    public let policy: Policy

    /// Creates a verifier.
    public init(trustedKeys: [TrustedKey], policy: Policy = .phone) {
        self.trustedKeys = trustedKeys
        self.policy = policy
    }

    /// Verifies `archive`; returns the first signature that verifies with a trusted key.
    public func verify(_ archive: ExportArchive) throws(ExportVerificationError) -> Success {
        let signatures: [ExportSignature]
        do {
            signatures = try archive.signatures()
        } catch {
            throw .unreadable(error)
        }
        guard !signatures.isEmpty else { throw .noSignatures(file: archive.name) }
        let digest = SHA256.hash(data: archive.exportBin)
        var firstFailure: ExportVerificationError?
        for key in trustedKeys {
            for signature in signatures where key.matches(signature.info) {
                switch check(signature, with: key, digest: digest, file: archive.name) {
                case .success(let success): return success
                case .failure(let failure): firstFailure = firstFailure ?? failure
                }
            }
        }
        if let firstFailure { throw firstFailure }
        throw .noMatchingSignature(
            file: archive.name,
            wanted: trustedKeys.map { "\($0.keyID ?? "").\($0.keyVersion ?? "")" },
            available: signatures.map(\.info.label)
        )
    }

    private func check(
        _ signature: ExportSignature, with key: TrustedKey, digest: SHA256.Digest, file: String
    ) -> Result<Success, ExportVerificationError> {
        let label = signature.info.label
        let ecdsa: P256.Signing.ECDSASignature
        switch signature.encoding {
        case .der:
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature.bytes) else {
                return .failure(.unreadableSignature(file: file, label: label, bytes: signature.bytes.count))
            }
            ecdsa = parsed
        case .raw:
            guard policy == .lenient else { return .failure(.rawSignatureRefused(file: file, label: label)) }
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature.bytes) else {
                return .failure(.unreadableSignature(file: file, label: label, bytes: signature.bytes.count))
            }
            ecdsa = parsed
        case .unreadable:
            return .failure(.unreadableSignature(file: file, label: label, bytes: signature.bytes.count))
        }
        guard key.publicKey.key.isValidSignature(ecdsa, for: digest) else {
            return .failure(.signatureMismatch(file: file, label: label, fingerprint: key.publicKey.fingerprint))
        }
        return .success(Success(signature: signature, key: key, wasRaw: signature.encoding == .raw))
    }
}
