import Foundation

/// The 16-byte header every export.bin starts with: `EK Export v1` and four spaces.
public enum ExportHeader {
    /// The header bytes.
    public static let bytes = Data("EK Export v1    ".utf8)

    /// Whether `data` starts with the exact header.
    public static func isPresent(in data: Data) -> Bool {
        data.count >= bytes.count && data.prefix(bytes.count).elementsEqual(bytes)
    }
}
