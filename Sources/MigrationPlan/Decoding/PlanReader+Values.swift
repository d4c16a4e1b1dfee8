import Foundation

// Typed scalar readers. Each returns nil after reporting when the value is unusable.
extension PlanReader {
    func string(_ mapping: PlanMapping, _ key: String) -> String? {
        guard let text = scalar(mapping, key) else { return nil }
        guard !text.isEmpty else {
            report(mapping.valueLocation(key), mapping.path + "/" + key, "empty-value", "`\(key)` must not be empty")
            return nil
        }
        return text
    }

    func integer(_ mapping: PlanMapping, _ key: String, range: ClosedRange<Int>) -> Int? {
        guard let text = scalar(mapping, key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            report(
                mapping.valueLocation(key), mapping.path + "/" + key, "wrong-type",
                "`\(key)` must be an integer from \(range.lowerBound) to \(range.upperBound), found `\(text)`")
            return nil
        }
        return value
    }

    func boolean(_ mapping: PlanMapping, _ key: String) -> Bool? {
        guard let text = scalar(mapping, key) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            report(mapping.valueLocation(key), mapping.path + "/" + key, "wrong-type", "`\(key)` must be true or false, found `\(text)`")
            return nil
        }
    }

    func duration(_ mapping: PlanMapping, _ key: String) -> Duration? {
        guard let text = scalar(mapping, key) else { return nil }
        guard let duration = PlanDuration.parse(text) else {
            // `0s` is a duration, just not one a wait or a timeout can be.
            let zero = PlanDuration.parse("1" + text.drop { $0 == "0" }) != nil && text.allSatisfy { $0 == "0" || $0.isLetter }
            report(
                mapping.valueLocation(key), mapping.path + "/" + key, "bad-duration",
                zero ? "`\(key)`: `\(text)` is zero; it must be greater than zero" : "`\(key)`: `\(text)` is not a duration",
                hint: "an integer and a unit, ms, s, m or h, chainable and greater than zero: 500ms, 30s, 5m, 1h30m")
            return nil
        }
        return duration
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ mapping: PlanMapping, _ key: String, as type: Value.Type) -> Value?
    where Value.RawValue == String {
        guard let text = scalar(mapping, key) else { return nil }
        if let value = Value(rawValue: text) { return value }
        let allowed = Value.allCases.map(\.rawValue)
        report(
            mapping.valueLocation(key), mapping.path + "/" + key, "bad-value",
            "`\(key)` must be one of \(allowed.joined(separator: ", ")), found `\(text)`",
            hint: Self.closest(to: text, in: allowed).map { "did you mean `\($0)`?" })
        return nil
    }

    /// A location or index URL. `file:` URLs may be relative (`file:cdn/`) and resolve against
    /// the plan folder; `https://` and `http://` must name a host.
    /// Where a feed can be read from: a folder, a CDN or a bucket.
    static let feedSchemes: Set<String> = ["file", "https", "http", "s3", "gs"]
    /// Where enmigrate can write: a folder or a bucket (a CDN is read-only).
    static let writableSchemes: Set<String> = ["file", "s3", "gs"]

    func url(_ mapping: PlanMapping, _ key: String, schemes: Set<String>) -> URL? {
        guard let text = scalar(mapping, key) else { return nil }
        let path = mapping.path + "/" + key
        let location = mapping.valueLocation(key)
        guard let colon = text.firstIndex(of: ":") else {
            report(
                location, path, "bad-url", "`\(key)`: `\(text)` is not a URL",
                hint: "write \(schemes.sorted().map { "\($0):…" }.joined(separator: " or "))")
            return nil
        }
        let scheme = text[..<colon].lowercased()
        guard schemes.contains(scheme) else {
            report(
                location, path, "bad-url", "`\(key)`: scheme `\(scheme)` is not supported here",
                hint: "supported: " + schemes.sorted().joined(separator: ", "))
            return nil
        }
        if scheme == "file" {
            var rest = String(text[text.index(after: colon)...])
            if rest.hasPrefix("//") { rest.removeFirst(2) }
            guard !rest.isEmpty else {
                report(location, path, "bad-url", "`\(key)`: `\(text)` names no folder")
                return nil
            }
            let resolved = rest.hasPrefix("/") ? URL(fileURLWithPath: rest) : folder.appendingPathComponent(rest)
            return resolved.standardizedFileURL
        }
        guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
            report(location, path, "bad-url", "`\(key)`: `\(text)` is not a valid URL with a host")
            return nil
        }
        return url
    }

    /// A file path, resolved against the plan folder unless absolute.
    func filePath(_ mapping: PlanMapping, _ key: String) -> String? {
        guard let text = string(mapping, key) else { return nil }
        return resolve(text)
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/")
            ? URL(fileURLWithPath: path).standardizedFileURL.path
            : folder.appendingPathComponent(path).standardizedFileURL.path
    }

    /// `sqlite:PATH` (relative to the plan folder unless absolute) or `postgres://…`.
    func store(_ mapping: PlanMapping, _ key: String) -> StoreLocation? {
        guard let text = scalar(mapping, key) else { return nil }
        if text.hasPrefix("sqlite:"), text.count > "sqlite:".count {
            return .sqlite(path: resolve(String(text.dropFirst("sqlite:".count))))
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            if Self.carriesPassword(text) {
                report(
                    mapping.valueLocation(key), mapping.path + "/" + key, "secret-in-plan",
                    "`\(key)` carries a password; plans must not hold secrets",
                    hint: "drop the password from the URL and give it through PGPASSWORD or a password file")
                return nil
            }
            return .postgres(url: text)
        }
        report(
            mapping.valueLocation(key), mapping.path + "/" + key, "bad-url", "`\(key)`: `\(text)` is not a store URL",
            hint: "write sqlite:PATH (relative to the plan) or postgres://host/db")
        return nil
    }

    /// Whether a `postgres://` URL's user part (before `@` in the authority) holds a password,
    /// or its query names one. The scheme's own colon does not count.
    static func carriesPassword(_ url: String) -> Bool {
        guard let start = url.range(of: "://")?.upperBound else { return false }
        let rest = url[start...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") { return true }
        return rest.contains("password=")
    }

    func date(_ mapping: PlanMapping, _ key: String) -> Date? {
        guard let text = scalar(mapping, key) else { return nil }
        guard let date = try? Date(text, strategy: .iso8601) else {
            report(
                mapping.valueLocation(key), mapping.path + "/" + key, "bad-date",
                "`\(key)`: `\(text)` is not an RFC 3339 time", hint: "for example 2026-12-01T00:00:00Z")
            return nil
        }
        return date
    }
}
