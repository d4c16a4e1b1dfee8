import Foundation
import Testing

/// The real export files in `../shared/conformance/real/` beside the project, with their
/// decoded expectations. A user's fresh clone has no `../shared`: tests then skip, saying so.
enum ConformanceCorpus {
    static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/conformance/real")

    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("expected.json").path)
    }

    static let absentMessage: Comment = "../shared/conformance/real is not beside the project: real-file conformance not run"

    /// One row of expected.json, with the fields the tests compare.
    struct Row: Decodable, CustomStringConvertible {
        struct Info: Decodable {
            let verification_key_id: String?
            let verification_key_version: String?
        }

        let path: String
        let parse: String?
        let keys: Int?
        let revised_keys: Int?
        let region: String?
        let start: UInt64?
        let end: UInt64?
        let verified: String?
        let keyfiles: [String]?
        let sorted_by_key_data: Bool?
        let duplicate_key_data: Int?
        let signature_infos_bin: [Info]?
        let signature_infos_sig: [Info]?
        let sig_der: [Bool]?
        let sig_error: String?

        var description: String { path }
        var url: URL { folder.appendingPathComponent(path) }
        var isVerifiable: Bool { verified?.hasPrefix("yes") == true }
    }

    static func rows() -> [Row] {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("expected.json")),
            let rows = try? JSONDecoder().decode([Row].self, from: data)
        else { return [] }
        return rows
    }
}
