import Crypto
import Foundation
import ZIPFoundation

/// Writes signed export archives exactly like the reference server: signature infos in
/// export.bin and the signatures in export.sig in the same order, one per signer, two
/// deflated entries `export.bin` then `export.sig` with a fixed date.
///
/// export.bin and the zip layout are deterministic for the same input; ECDSA signatures are
/// randomized, so compare written files by the digest of their export.bin.
public struct ExportArchiveWriter: Sendable {
    /// Signers, newest key first (the order phones expect).
    public let signers: [ExportSigner]

    /// Creates a writer. At least one signer is needed for a file a phone accepts.
    public init(signers: [ExportSigner]) {
        self.signers = signers
    }

    /// The zip bytes for `contents`, whose signature infos are replaced by the signers'.
    public func archive(for contents: ExportFileContents) throws -> Data {
        try signedArchive(for: contents).zip
    }

    /// The zip bytes and the SHA-256 (hex) of the export.bin inside, encoded once.
    public func signedArchive(for contents: ExportFileContents) throws -> (zip: Data, exportBinSHA256: String) {
        var signed = contents
        signed.signatureInfos = signers.map(\.info)
        let exportBin = signed.exportBinBytes()
        let digest = SHA256.hash(data: exportBin)
        var list = TEKSignatureList()
        list.signatures = try signers.map { signer in
            ExportSignature(info: signer.info, batchNum: 1, batchSize: 1, bytes: try signer.sign(digest: digest)).message
        }
        let exportSig: Data = try list.serializedBytes()
        return (try Self.zip([("export.bin", exportBin), ("export.sig", exportSig)]), digest.map { String(format: "%02x", $0) }.joined())
    }

    /// Re-signs a file that already verified: same keys and metadata, this writer's
    /// signature infos and signatures. Used by dual-export to publish a second feed.
    public func resign(_ source: ExportArchive, limits: ExportLimits = .default) throws -> Data {
        try archive(for: source.contents(limits: limits))
    }

    /// 1980-01-01T00:00Z, the earliest DOS date: a fixed modification date keeps zips identical.
    static let fixedDate = Date(timeIntervalSince1970: 315_532_800)

    static func zip(_ entries: [(String, Data)]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count),
                modificationDate: fixedDate, permissions: 0o644, compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        // An archive created in memory always has its data; the fallback only satisfies the type.
        return archive.data ?? Data()
    }
}
