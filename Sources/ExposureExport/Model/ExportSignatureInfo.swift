/// Which key signed a file: the `SignatureInfo` message, in export.bin or export.sig.
///
/// Key id and version are how a phone picks the public key; real files leave them out or
/// empty, so both are optional. The algorithm string is kept but never judged.
public struct ExportSignatureInfo: Hashable, Sendable, Codable {
    /// `verification_key_id`, e.g. the MCC `310`.
    public var keyID: String?
    /// `verification_key_version`, e.g. `v1`.
    public var keyVersion: String?
    /// `signature_algorithm`, normally the OID `1.2.840.10045.4.3.2`.
    public var algorithm: String?

    /// The OID the reference server writes for ECDSA with SHA-256.
    public static let ecdsaSHA256OID = "1.2.840.10045.4.3.2"

    /// Creates a signature info.
    public init(keyID: String?, keyVersion: String?, algorithm: String? = ExportSignatureInfo.ecdsaSHA256OID) {
        self.keyID = keyID
        self.keyVersion = keyVersion
        self.algorithm = algorithm
    }

    /// `id.version` as the reference importer indexes signatures; absent parts are empty.
    public var label: String { "\(keyID ?? "").\(keyVersion ?? "")" }
}
