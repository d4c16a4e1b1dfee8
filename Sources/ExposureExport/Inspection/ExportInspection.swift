import Crypto
import Foundation

/// Everything `export inspect` reports about a file: header fields, counts, the time
/// window, signature infos from both entries, and anomalies.
public struct ExportInspection: Sendable {
    /// The archive inspected.
    public let archive: ExportArchive
    /// Decoded export.bin.
    public let contents: ExportFileContents
    /// Decoded export.sig (empty when absent or unreadable).
    public let signatures: [ExportSignature]
    /// SHA-256 of export.bin, hex: identifies content across re-signing.
    public let exportBinSHA256: String
    /// Unusual things found.
    public let anomalies: [ExportAnomaly]

    /// Inspects `archive`. Throws only when export.bin is unreadable (header, protobuf,
    /// limits); everything else becomes an anomaly.
    public init(_ archive: ExportArchive, limits: ExportLimits = .default) throws(ExportFileError) {
        self.archive = archive
        let contents = try archive.contents(limits: limits)
        self.contents = contents
        var anomalies: [ExportAnomaly] = []
        var signatures: [ExportSignature] = []
        do {
            signatures = try archive.signatures()
        } catch {
            anomalies.append(ExportAnomaly(code: "undecodable-signatures", message: error.description))
        }
        if archive.exportSig == nil {
            anomalies.append(ExportAnomaly(code: "missing-signature-file", message: "no export.sig"))
        } else if archive.exportSig?.isEmpty == true {
            anomalies.append(ExportAnomaly(code: "empty-signature-file", message: "export.sig is empty"))
        }
        self.signatures = signatures
        self.exportBinSHA256 = archive.exportBin.sha256Hex
        anomalies += Self.containerAnomalies(archive)
        anomalies += Self.signatureAnomalies(contents: contents, signatures: signatures)
        anomalies += KeyAnomalyScan(keys: contents.keys, label: "keys").anomalies
        anomalies += KeyAnomalyScan(keys: contents.revisedKeys, label: "revised keys").anomalies
        self.anomalies = anomalies
    }

    private static func containerAnomalies(_ archive: ExportArchive) -> [ExportAnomaly] {
        let extra = archive.entryNames.filter { $0 != "export.bin" && $0 != "export.sig" }
        guard !extra.isEmpty else { return [] }
        return [ExportAnomaly(code: "extra-entries", message: "extra zip entries: " + extra.joined(separator: ", "))]
    }

    private static func signatureAnomalies(contents: ExportFileContents, signatures: [ExportSignature]) -> [ExportAnomaly] {
        var found: [ExportAnomaly] = []
        if contents.signatureInfos.isEmpty {
            found.append(ExportAnomaly(code: "no-signature-infos", message: "export.bin lists no signature infos"))
        }
        for signature in signatures {
            switch signature.encoding {
            case .der: break
            case .raw:
                found.append(
                    ExportAnomaly(
                        code: "raw-signature",
                        message: "signature '\(signature.info.label)' is raw r||s (64 bytes), not DER; phones reject it"))
            case .unreadable:
                found.append(
                    ExportAnomaly(
                        code: "unreadable-signature",
                        message: "signature '\(signature.info.label)' is \(signature.bytes.count) bytes, neither DER nor raw"))
            }
        }
        let binLabels = contents.signatureInfos.map(\.label)
        let sigLabels = signatures.map(\.info.label)
        if !signatures.isEmpty, !contents.signatureInfos.isEmpty, binLabels != sigLabels {
            found.append(
                ExportAnomaly(
                    code: "signature-info-mismatch",
                    message: "signature infos differ: export.bin has \(binLabels), export.sig has \(sigLabels)"))
        }
        return found
    }
}
