import ArgumentParser
import ExposureExport
import Foundation

/// `enmigrate export verify FILE --public-key PEM [--key-id ID --key-version V]`.
struct ExportVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an export file's signature the way a phone does.",
        discussion: """
            ECDSA P-256 over SHA-256 of the whole export.bin. With --key-id/--key-version only \
            signatures whose info matches exactly are tried; without them every signature is tried. \
            Raw r||s signatures (2020 pre-launch files) are accepted here and reported as an anomaly; \
            the migration pipeline requires DER, as phones do. Exit 0 verified, 1 otherwise.
            """
    )

    @Argument(help: "The export file (zip or bare export.bin).")
    var file: String

    @Option(name: .customLong("public-key"), help: "PEM public key (SubjectPublicKeyInfo).")
    var publicKey: String

    @Option(name: .customLong("key-id"), help: "verification_key_id the signature must carry.")
    var keyID: String?

    @Option(name: .customLong("key-version"), help: "verification_key_version the signature must carry.")
    var keyVersion: String?

    @Option(help: "export.sig to use with a bare export.bin.")
    var signature: String?

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    struct Report: Encodable {
        let file: String
        let verified: Bool
        let keyFingerprint: String
        let signature: String?
        let encoding: String?
        let anomalies: [String]
        let error: String?
        let code: String?
    }

    func run() async throws {
        let key: ExportPublicKey
        do {
            key = try ExportPublicKey.load(contentsOf: URL(fileURLWithPath: publicKey))
        } catch {
            printError("error: \(error)")
            throw EnmigrateExit.error
        }
        let trusted = TrustedKey(keyID: keyID, keyVersion: keyVersion, publicKey: key)
        let result: Result<ExportVerifier.Success, ExportVerificationError>
        do {
            let archive = try ExportArchive.load(
                contentsOf: URL(fileURLWithPath: file), signature: signature.map { URL(fileURLWithPath: $0) })
            result = Result { () throws(ExportVerificationError) in
                try ExportVerifier(trustedKeys: [trusted], policy: .lenient).verify(archive)
            }
        } catch {
            result = .failure(.unreadable(error))
        }
        try report(result, key: key)
    }

    private func report(_ result: Result<ExportVerifier.Success, ExportVerificationError>, key: ExportPublicKey) throws {
        switch result {
        case .success(let success):
            let label = success.signature.info.label
            let anomalies = success.wasRaw ? ["raw-signature: signature '\(label)' is raw r||s, not DER; phones reject it"] : []
            if json {
                try printJSON(
                    Report(
                        file: file, verified: true, keyFingerprint: key.fingerprint.hex, signature: label,
                        encoding: success.signature.encoding.rawValue, anomalies: anomalies, error: nil, code: nil))
            } else {
                print("verified: \(file): signature '\(label)' (\(success.signature.encoding.rawValue)) with key \(key.fingerprint)")
                anomalies.forEach { print("anomaly: \($0)") }
            }
        case .failure(let failure):
            if json {
                try printJSON(
                    Report(
                        file: file, verified: false, keyFingerprint: key.fingerprint.hex, signature: nil,
                        encoding: nil, anomalies: [], error: failure.description, code: failure.code))
            }
            printError("not verified: \(failure)")
            throw EnmigrateExit.error
        }
    }
}
