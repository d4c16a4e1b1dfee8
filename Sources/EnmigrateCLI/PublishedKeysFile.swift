import ExposureExport
import Foundation

/// The reference server's publish format (`temporaryExposureKeys[]`), read by `export build`.
struct PublishedKeysFile: Decodable {
    struct Key: Decodable {
        let key: String
        let rollingStartNumber: Int32
        let rollingPeriod: Int32?
        let transmissionRisk: Int32?
    }

    let temporaryExposureKeys: [Key]

    /// Reads and converts the keys; a bad entry is named by its index.
    static func load(_ url: URL) throws -> [ExportKey] {
        let data = try Data(contentsOf: url)
        let file: PublishedKeysFile
        do {
            file = try JSONDecoder().decode(PublishedKeysFile.self, from: data)
        } catch {
            throw ValidationFailure("\(url.path): not a publish-format keys file (temporaryExposureKeys[]): \(error)")
        }
        return try file.temporaryExposureKeys.enumerated().map { index, entry in
            guard let bytes = Data(base64Encoded: entry.key) else {
                throw ValidationFailure("\(url.path): temporaryExposureKeys[\(index)].key is not base64")
            }
            return ExportKey(
                keyData: bytes,
                transmissionRiskLevel: entry.transmissionRisk ?? 0,
                rollingStartIntervalNumber: entry.rollingStartNumber,
                rollingPeriod: entry.rollingPeriod ?? 144
            )
        }
    }
}

/// A user-facing failure with a complete message.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
