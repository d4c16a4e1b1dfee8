import ExposureExport
import Foundation

/// What the operator sends to Apple/Google to switch the state app's verification key to the
/// national key, and the checklist for the state's own export worker.
public struct RotationRequest: Sendable, Encodable, Equatable {
    public let migration: String
    /// The state's region (the app's region).
    public let region: String
    public let keyID: String
    public let keyVersion: String
    /// SHA-256 fingerprint of the national public key (DER SubjectPublicKeyInfo).
    public let fingerprint: String
    /// The national public key as PEM.
    public let publicKeyPEM: String
    /// The client index the mirror takes over.
    public let clientIndex: String
    /// Where the state's export worker publishes after the swap, if the plan says.
    public let stateExportsGoTo: String?

    public init(migration: String, region: String, key: TrustedKey, clientIndex: String, stateExportsGoTo: String?) {
        self.migration = migration
        self.region = region
        keyID = key.keyID ?? ""
        keyVersion = key.keyVersion ?? ""
        fingerprint = key.publicKey.fingerprint.description
        publicKeyPEM = key.publicKey.pemRepresentation
        self.clientIndex = clientIndex
        self.stateExportsGoTo = stateExportsGoTo
    }

    /// The request in words.
    public var text: String {
        """
        # Key rotation request: \(migration)

        Please switch the Exposure Notifications verification key of the app for region **\(region)**
        to the national server's export signing key below. After the switch, phones of this region
        accept only files signed by this key.

        | | |
        |---|---|
        | region | \(region) |
        | key id | \(keyID) |
        | key version | \(keyVersion) |
        | SHA-256 fingerprint | `\(fingerprint)` |
        | public key | `national.pub.pem` (PEM, SubjectPublicKeyInfo) |

        ## Checklist for the state's operators

        1. Send this folder to Apple and Google; keep the request until they confirm the rotation.
        2. When they confirm, approve the gate: `enmigrate approve PLAN --gate key-rotation --by NAME --note "…"`,
           then run `enmigrate apply PLAN`. The client index \(clientIndex) is swapped to the national feed in
           one atomic write; the state's index is kept for `enmigrate abort PLAN --restore-client-index`.
        3. From the swap on, the mirror owns \(clientIndex). Stop the state's export worker from writing it\
        \(stateExportsGoTo.map { "; its exports go to \($0) (clientFeed.origin), where dual-export reads them" } ?? "").
        4. If the rotation is refused or reverted while the state still holds its old key, run
           `enmigrate abort PLAN --restore-client-index`.

        """
    }

    /// Writes `REQUEST.md`, `request.json` and `national.pub.pem` into `folder`, each atomically.
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: folder.appendingPathComponent("request.json"), options: .atomic)
        try Data(publicKeyPEM.utf8).write(to: folder.appendingPathComponent("national.pub.pem"), options: .atomic)
        try Data(text.utf8).write(to: folder.appendingPathComponent("REQUEST.md"), options: .atomic)
    }

    /// The national key fingerprint of the request written in `folder`, if one is.
    public static func writtenFingerprint(in folder: URL) -> String? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("request.json")),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["fingerprint"] as? String
    }

    /// Whether `folder` holds exactly this request.
    public func isWritten(in folder: URL) -> Bool {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("REQUEST.md")) else { return false }
        return data == Data(text.utf8) && FileManager.default.fileExists(atPath: folder.appendingPathComponent("request.json").path)
    }
}
