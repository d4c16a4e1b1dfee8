import Foundation

/// How check results and other details are stored in a record's JSON detail.
enum CheckRecord {
    static func detail(_ results: [CheckResult]) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(results)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return ["results": json]
    }

    static func results(_ detail: String) -> [CheckResult] {
        guard let text = value(detail, "results") else { return [] }
        return (try? JSONDecoder().decode([CheckResult].self, from: Data(text.utf8))) ?? []
    }

    static func value(_ detail: String, _ key: String) -> String? {
        guard let object = try? JSONDecoder().decode([String: String].self, from: Data(detail.utf8)) else { return nil }
        return object[key]
    }
}
