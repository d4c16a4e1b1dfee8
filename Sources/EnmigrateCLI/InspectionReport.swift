import ExposureExport
import Foundation

/// The rendering of an `ExportInspection`, as JSON (`Encodable`) and as text.
struct InspectionReport: Encodable {
    struct Signature: Encodable {
        let keyID: String?
        let keyVersion: String?
        let algorithm: String?
        let encoding: String
        let bytes: Int
        let batchNum: Int32?
        let batchSize: Int32?
    }

    let file: String
    let entries: [String]
    let exportBinBytes: Int
    let exportBinSHA256: String
    let startTimestamp: UInt64?
    let endTimestamp: UInt64?
    let start: String?
    let end: String?
    let region: String?
    let batchNum: Int32?
    let batchSize: Int32?
    let keys: Int
    let revisedKeys: Int
    let signatureInfos: [ExportSignatureInfo]
    let signatures: [Signature]
    let anomalies: [ExportAnomaly]

    init(_ inspection: ExportInspection) {
        let contents = inspection.contents
        file = inspection.archive.name
        entries = inspection.archive.entryNames
        exportBinBytes = inspection.archive.exportBin.count
        exportBinSHA256 = inspection.exportBinSHA256
        startTimestamp = contents.startTimestamp
        endTimestamp = contents.endTimestamp
        start = contents.startTimestamp.map(Self.iso8601)
        end = contents.endTimestamp.map(Self.iso8601)
        region = contents.region
        batchNum = contents.batchNum
        batchSize = contents.batchSize
        keys = contents.keys.count
        revisedKeys = contents.revisedKeys.count
        signatureInfos = contents.signatureInfos
        signatures = inspection.signatures.map {
            Signature(
                keyID: $0.info.keyID, keyVersion: $0.info.keyVersion, algorithm: $0.info.algorithm,
                encoding: $0.encoding.rawValue, bytes: $0.bytes.count, batchNum: $0.batchNum, batchSize: $0.batchSize)
        }
        anomalies = inspection.anomalies
    }

    static func iso8601(_ seconds: UInt64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    var text: String {
        var lines = ["file:        \(file)"]
        if !entries.isEmpty { lines.append("entries:     \(entries.joined(separator: ", "))") }
        lines.append("export.bin:  \(exportBinBytes) bytes, sha256 \(exportBinSHA256)")
        lines.append("region:      \(region ?? "(absent)")")
        lines.append("window:      \(start ?? "(absent)") → \(end ?? "(absent)")")
        lines.append("batch:       \(batchNum.map(String.init) ?? "-") of \(batchSize.map(String.init) ?? "-")")
        lines.append("keys:        \(keys) (+ \(revisedKeys) revised)")
        for info in signatureInfos {
            lines.append("export.bin signature info: id '\(info.keyID ?? "")' version '\(info.keyVersion ?? "")' algorithm '\(info.algorithm ?? "")'")
        }
        for signature in signatures {
            lines.append(
                "export.sig signature:      id '\(signature.keyID ?? "")' version '\(signature.keyVersion ?? "")' "
                    + "\(signature.encoding), \(signature.bytes) bytes")
        }
        lines.append(anomalies.isEmpty ? "anomalies:   none" : "anomalies:")
        lines += anomalies.map { "  - \($0)" }
        return lines.joined(separator: "\n")
    }
}
