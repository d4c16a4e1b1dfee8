import Foundation

/// One value of a journal record's detail, as JSON: text for most (who, why, a reason), lists
/// and objects where the detail has structure (a check's results, the files of an accepted
/// loss), so a record read with `sqlite3` or `psql` is one JSON document, never JSON inside a
/// JSON string. Records an older enmigrate wrote kept such values as text; readers take both.
public enum JournalValue: Sendable, Equatable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JournalValue])
    case object([String: JournalValue])
    case null

    /// Any `Encodable` as a value (a check's results): encoded, then read back as JSON.
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JournalValue.self, from: JSONEncoder().encode(value))
    }

    /// The value as `type`, decoded from its JSON; a value an older enmigrate stored as JSON
    /// text is decoded from that text.
    public func decoded<Value: Decodable>(as type: Value.Type) -> Value? {
        let data: Data?
        if case .string(let text) = self { data = Data(text.utf8) } else { data = try? JSONEncoder().encode(self) }
        return data.flatMap { try? JSONDecoder().decode(type, from: $0) }
    }

    /// The text, when the value is text.
    public var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Text first: nearly every value of a detail is text, and every failed attempt costs an
        // error (the journal's records are read a few times a pass).
        if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([JournalValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JournalValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
