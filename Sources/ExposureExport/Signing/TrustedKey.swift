/// A public key a consumer trusts, with the key id and version a phone would match.
///
/// With `keyID` and `keyVersion` set, only signatures whose info matches exactly are tried
/// (as a phone does). With both nil, every signature in the file is tried.
public struct TrustedKey: Sendable, Hashable {
    /// `verification_key_id` to match, or nil to try every signature.
    public var keyID: String?
    /// `verification_key_version` to match, or nil to try every signature.
    public var keyVersion: String?
    /// The key.
    public var publicKey: ExportPublicKey

    /// Creates a trusted key.
    public init(keyID: String?, keyVersion: String?, publicKey: ExportPublicKey) {
        self.keyID = keyID
        self.keyVersion = keyVersion
        self.publicKey = publicKey
    }

    /// Whether this key is meant for a signature with `info`. An absent id or version in a
    /// file is the same as an empty one.
    public func matches(_ info: ExportSignatureInfo) -> Bool {
        if keyID == nil, keyVersion == nil { return true }
        return (keyID ?? "") == (info.keyID ?? "") && (keyVersion ?? "") == (info.keyVersion ?? "")
    }

    public static func == (lhs: TrustedKey, rhs: TrustedKey) -> Bool {
        lhs.keyID == rhs.keyID && lhs.keyVersion == rhs.keyVersion && lhs.publicKey == rhs.publicKey
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keyID)
        hasher.combine(keyVersion)
        hasher.combine(publicKey.fingerprint)
    }
}
