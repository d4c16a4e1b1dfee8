import Foundation
import SwiftProtobuf

extension ExportArchive {
    /// Decodes export.bin: checks the header, decodes the protobuf, enforces the key limit.
    public func contents(limits: ExportLimits = .default) throws(ExportFileError) -> ExportFileContents {
        guard ExportHeader.isPresent(in: exportBin) else { throw .badHeader(file: name) }
        let message: TemporaryExposureKeyExport
        do {
            message = try TemporaryExposureKeyExport(serializedBytes: exportBin.dropFirst(ExportHeader.bytes.count))
        } catch {
            throw .undecodableExport(file: name, reason: "\(error)")
        }
        let count = message.keys.count + message.revisedKeys.count
        guard count <= limits.maxKeys else {
            throw .tooManyKeys(file: name, count: count, limit: limits.maxKeys)
        }
        return ExportFileContents(message)
    }

    /// Decodes export.sig. A missing or empty export.sig gives no signatures.
    public func signatures() throws(ExportFileError) -> [ExportSignature] {
        guard let exportSig, !exportSig.isEmpty else { return [] }
        do {
            let list = try TEKSignatureList(serializedBytes: exportSig)
            return list.signatures.map(ExportSignature.init)
        } catch {
            throw .undecodableSignatures(file: name, reason: "\(error)")
        }
    }
}
