import Foundation
import MigrationStoreContracts

/// What the phone-watch keeps in its ``WorkerDocument``: when it last read every file.
struct PhoneWatchMemory: Codable, Equatable {
    var fullLookAt: Date

    /// The memory in `document`; nil when never saved or unreadable (then the next look is a
    /// full one, which is the safe side of a schedule, and saving it replaces the document).
    static func load(from document: WorkerDocument) throws -> PhoneWatchMemory? {
        guard let data = try document.load() else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(Self.self, from: data)
    }

    func save(to document: WorkerDocument) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        try document.save(try encoder.encode(self))
    }
}
