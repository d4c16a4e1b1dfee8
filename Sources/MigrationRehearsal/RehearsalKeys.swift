import ExposureExport
import Foundation

/// Key pairs generated for one rehearsal only, written to its `keys/` folder (private halves
/// mode 600). Never the operator's keys: a rehearsal reads none of them.
public struct RehearsalKeys: Sendable {
    /// Signs the simulated state's client feed.
    public let stateClient: ExportSigningKey
    /// Signs the second feed (dual-export, or the simulated state for `external`).
    public let secondFeed: ExportSigningKey
    /// Signs the national feed.
    public let national: ExportSigningKey

    /// Generates the three pairs and writes them to `folder`.
    public static func generate(in folder: URL) throws -> RehearsalKeys {
        let keys = RehearsalKeys(stateClient: .generate(), secondFeed: .generate(), national: .generate())
        try keys.stateClient.writeKeyPair(to: folder, name: "state-client")
        try keys.secondFeed.writeKeyPair(to: folder, name: "second-feed")
        try keys.national.writeKeyPair(to: folder, name: "national")
        return keys
    }

    /// A public key file for a trusted state key the rehearsal never signs with (the plan
    /// trusts it, so the rehearsal does too, with a key of its own).
    static func writeUnusedTrustedKey(in folder: URL, number: Int) throws -> String {
        let name = "trusted-\(number)"
        try ExportSigningKey.generate().writeKeyPair(to: folder, name: name)
        return "keys/\(name).pub.pem"
    }
}
