import Foundation

/// What changed between the plan a run started with and the plan file now, field by field,
/// from their canonical forms (``PlanLoadResult/canonical``), each change classified: *safe*
/// ones (how workers run, hooks, how long approvals last, a trust window widened, a PostgreSQL
/// endpoint moved with the same user, database and schema) can be adopted by a running
/// migration (`enmigrate adopt`); anything else (keys, regions, roots, the mode, locations)
/// needs a new run.
public struct PlanDiff: Sendable, Equatable {
    public struct Change: Sendable, Equatable, Codable, CustomStringConvertible {
        /// `/workers/concurrency`, or `key /national/feed/key` for a key file's fingerprint.
        public let path: String
        public let was: String?
        public let now: String?
        /// The line in the plan file now, when the field is there.
        public let line: Int?
        public let safe: Bool

        /// `plan.yaml:38: /workers/interval: 5m → 6m`: the change where it stands in `file`.
        public func located(in file: String) -> String {
            "\(file)\(line.map { ":\($0)" } ?? ""): \(path): \(was ?? "(absent)") → \(now ?? "(absent)")"
        }

        public var description: String {
            "\(path): \(was ?? "(absent)") → \(now ?? "(absent)")" + (line.map { " (line \($0))" } ?? "")
                + (safe ? "" : " — needs a new run")
        }
    }

    public let changes: [Change]

    /// Fields a run could take up without a new run: they change how the work is done, not
    /// what is migrated or where.
    public static let safePrefixes = [
        "/workers/", "/hooks", "/monitoring", "/gates/keyRotation/expiresAfter", "/gates/appUpdate/expiresAfter", "/gates/decommission/expiresAfter",
    ]

    /// Compares two canonical forms; `lines` places the fields of the new one in its file.
    public static func between(started: String, now: String, lines: [String: Int] = [:]) -> PlanDiff {
        let before = flatten(started), after = flatten(now)
        let paths = Set(before.keys).union(after.keys).sorted()
        let changes = paths.compactMap { path -> Change? in
            guard before[path] != after[path] else { return nil }
            let line = lines[path] ?? parentLine(of: path, in: lines)
            let safe = isSafe(path, was: before[path], now: after[path])
            return Change(path: path, was: before[path], now: after[path], line: line, safe: safe)
        }
        return PlanDiff(changes: changes)
    }

    /// Whether changing the field at `path` from `was` to `now` leaves what the run migrates, and
    /// where, as it was.
    static func isSafe(_ path: String, was: String?, now: String?) -> Bool {
        if safePrefixes.contains(where: { path.hasPrefix($0) }) { return true }
        if let bound = trustWindowBound(path) {
            // Wider only: a key trusted for fewer days could refuse files already imported.
            guard let now else { return true }
            guard let was else { return false }
            return bound == "from" ? now <= was : now >= was
        }
        if movableDatabases.contains(path), let was, let now { return sameDatabase(was, now) }
        return false
    }

    /// Plan fields naming a database that may move to another host or port (a failover)
    /// while it stays the same database.
    static let movableDatabases: Set<String> = ["/journal", "/national/keyStore", "/state/keyStore"]

    /// `from` or `thru` when `path` is a trusted state key's window bound.
    static func trustWindowBound(_ path: String) -> String? {
        let parts = path.split(separator: "/")
        guard parts.count == 4, parts[0] == "national", parts[1] == "trustedStateKeys", Int(parts[2]) != nil,
            parts[3] == "from" || parts[3] == "thru"
        else { return nil }
        return String(parts[3])
    }

    /// Whether two PostgreSQL URLs name the same database as the same user (and schema),
    /// whatever host and port they reach it at.
    static func sameDatabase(_ first: String, _ second: String) -> Bool {
        guard let one = URLComponents(string: first), let two = URLComponents(string: second),
            ["postgres", "postgresql"].contains(one.scheme ?? ""), ["postgres", "postgresql"].contains(two.scheme ?? "")
        else { return false }
        let query = { (url: URLComponents) in (url.queryItems ?? []).sorted { $0.name < $1.name }.map { "\($0.name)=\($0.value ?? "")" } }
        return one.user == two.user && one.path == two.path && query(one) == query(two)
    }

    /// Whether every change is safe (and there is one).
    public var onlySafe: Bool { !changes.isEmpty && changes.allSatisfy(\.safe) }

    /// The canonical form as path → value: the JSON's leaves, then each key file's
    /// fingerprint (`key <path>`).
    static func flatten(_ canonical: String) -> [String: String] {
        let parts = canonical.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        var flat: [String: String] = [:]
        if let json = parts.first, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) {
            walk(object, "", into: &flat)
        }
        if parts.count > 1 {
            for line in parts[1].split(separator: "\n") {
                guard let equals = line.lastIndex(of: "=") else { continue }
                flat["key " + line[..<equals]] = String(line[line.index(after: equals)...])
            }
        }
        return flat
    }

    private static func walk(_ value: Any, _ path: String, into flat: inout [String: String]) {
        switch value {
        case let object as [String: Any]:
            for (key, item) in object { walk(item, path + "/" + key, into: &flat) }
        case let list as [Any]:
            // A Duration encodes as its 128-bit attoseconds, [high, low]: shown as the plan writes it.
            if list.count == 2, let high = (list[0] as? NSNumber)?.int64Value, let low = (list[1] as? NSNumber)?.uint64Value, high >= 0 {
                let seconds = (Double(high) * 18_446_744_073_709_551_616 + Double(low)) / 1e18
                flat[path] = Duration.milliseconds(Int64((seconds * 1000).rounded())).planText
                return
            }
            for (index, item) in list.enumerated() { walk(item, "\(path)/\(index)", into: &flat) }
        case let number as NSNumber where trustWindowBound(path) != nil:
            // A date encodes as seconds since 2001: shown (and compared) as RFC 3339 UTC.
            flat[path] = Date(timeIntervalSinceReferenceDate: number.doubleValue).formatted(.iso8601)
        default:
            flat[path] = "\(value)"
        }
    }

    private static func parentLine(of path: String, in lines: [String: Int]) -> Int? {
        var current = path
        while let slash = current.lastIndex(of: "/") {
            current = String(current[..<slash])
            if let line = lines[current] { return line }
        }
        return nil
    }
}
