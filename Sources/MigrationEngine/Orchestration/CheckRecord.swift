import Foundation

/// How check results and other details are stored in a record's JSON detail.
enum CheckRecord {
    /// A checks record's detail: the results as a list of objects.
    static func detail(_ results: [CheckResult]) -> [String: JournalValue] {
        ["results": (try? JournalValue(encoding: results)) ?? .array([])]
    }

    /// The results of a checks record: a list of objects, or (written by an older enmigrate) its JSON text.
    static func results(_ detail: String) -> [CheckResult] {
        values(detail)?["results"]?.decoded(as: [CheckResult].self) ?? []
    }

    /// One text value of a record's detail.
    static func value(_ detail: String, _ key: String) -> String? {
        values(detail)?[key]?.text
    }

    /// The detail's values, nil when it is not a JSON object.
    static func values(_ detail: String) -> [String: JournalValue]? {
        try? JSONDecoder().decode([String: JournalValue].self, from: Data(detail.utf8))
    }
}
