import ExposureExport

/// The plan's wording of a key file problem: a code, the message, and a fix.
extension KeyFileError {
    var code: String {
        switch self {
        case .unreadable: "key-file-missing"
        case .notPEM, .notP256: "key-file-invalid"
        case .wrongKind: "key-file-kind"
        case .readableByOthers, .linkTargetReadableByOthers: "key-file-permissions"
        }
    }

    var message: String { description }

    var hint: String? {
        switch self {
        case .unreadable: "paths in a plan are relative to the plan file's folder"
        case .wrongKind(_, let expected, _) where expected == "PUBLIC KEY": "publicKey takes a PEM public key (openssl ec -in KEY -pubout)"
        case .wrongKind: "privateKey takes a PEM private key (PKCS#8 or SEC1)"
        case .readableByOthers(let path, _): "chmod 600 \(path)"
        case .linkTargetReadableByOthers(_, let target, _): "chmod 600 \(target) (for a Kubernetes secret, set defaultMode: 0400)"
        case .notPEM, .notP256: "Exposure Notifications keys are ECDSA P-256 in PEM"
        }
    }
}
