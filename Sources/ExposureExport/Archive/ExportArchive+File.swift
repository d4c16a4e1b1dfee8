import Foundation

extension ExportArchive {
    /// Reads an export file from disk, recognised by content whatever its name: a zip
    /// archive, or a bare export.bin whose signature comes from `signature`, else from a
    /// sibling `export.sig` or `<name>.sig`.
    public static func load(
        contentsOf url: URL, signature: URL? = nil, limits: ExportLimits = .default
    ) throws(ExportFileError) -> ExportArchive {
        let name = url.path
        let size = (try? FileManager.default.attributesOfItem(atPath: name)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limits.maxArchiveBytes else {
            throw .archiveTooLarge(file: name, bytes: size, limit: limits.maxArchiveBytes)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .notAnArchive(file: name, reason: "cannot read the file: \(error.localizedDescription)")
        }
        switch kind(of: data) {
        case .zip:
            // Already in a file: ZIPFoundation reads it there (see `read(zip:name:limits:)`).
            try precheck(zip: data, name: name, limits: limits)
            return try read(zipAt: url, bytes: data, name: name, limits: limits)
        case .bareExportBin:
            let sibling = signature ?? siblingSignature(of: url)
            let sig = sibling.flatMap { try? Data(contentsOf: $0) }
            return ExportArchive(name: name, exportBin: data, exportSig: sig)
        case .unknown:
            throw .notAnArchive(file: name, reason: "neither a zip archive nor an export.bin (no 'EK Export v1' header)")
        }
    }

    private static func siblingSignature(of url: URL) -> URL? {
        let folder = url.deletingLastPathComponent()
        let candidates = [
            folder.appendingPathComponent("export.sig"),
            url.deletingPathExtension().appendingPathExtension("sig"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
