import ExposureExport
import Foundation
import MigrationStoreContracts

/// A file just written to a feed is read back and verified as phones will verify it before any
/// index names it: on a bucket the write went over a network, through a proxy or a gateway,
/// and the reference importer marks a listed file it cannot use as done for good.
struct ReadBackCheck: Sendable {
    /// The key phones (or the national importer) verify the file with.
    let key: TrustedKey

    init(signer: ExportSigner) {
        key = TrustedKey(keyID: signer.info.keyID, keyVersion: signer.info.keyVersion, publicKey: signer.key.publicKey)
    }

    /// Throws unless `name` in `store` holds exactly `written` and, with `verifySignature`,
    /// verifies with the key. Equal bytes are what the store owes; the signature of bytes the
    /// writer itself just signed is a property of the writer, so a writer of many files checks it
    /// on one file a pass (a third of the national export's write time if done for every file).
    func confirm(_ written: Data, at name: String, in store: any BlobStore, verifySignature: Bool = true) async throws {
        let stored = try await store.read(name)
        guard stored == written else {
            throw WorkerError.postcondition(
                "\(name): the copy read back after writing is not the file written (\(stored.count) bytes, \(written.count) written)")
        }
        guard verifySignature else { return }
        do {
            _ = try ExportVerifier(trustedKeys: [key], policy: .phone).verify(try ExportArchive.read(zip: stored, name: name))
        } catch {
            throw WorkerError.postcondition("\(name): read back after writing, it does not verify with \(key.keyID ?? "").\(key.keyVersion ?? ""): \(error)")
        }
    }
}
