import Foundation

/// A PostgreSQL database as a plan names it: `postgres://USER@HOST:PORT/DATABASE?sslmode=MODE&schema=NAME`.
/// The password never appears in the plan: it comes from `PGPASSWORD` or from the file named by
/// `ENMIGRATE_PG_PASSWORD_FILE` (readable by its owner only), so it is never written to the
/// journal, a log or any output. ``description`` prints the location without it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS (`sslmode`): `disable`, `prefer` (the default) or `require`.
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public let host: String
    public let port: Int
    public let username: String
    public let database: String
    public let tls: TLSMode
    /// The schema enmigrate's tables live in (default `enmigrate`), so the key store and the
    /// journal can share a database with other tables.
    public let schema: String
    /// Where keys go: enmigrate's own `exposure` table in ``schema``, or (`layout=reference`) an
    /// existing reference server's `exposure` table, named by `table=` (default `public.exposure`),
    /// so the national server's own export worker publishes the imported keys.
    public let referenceTable: String?

    /// Parses a `postgres://` or `postgresql://` URL; a password in it is refused.
    public init(url text: String) throws(PostgresLocationError) {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw .invalid(text, "expected postgres://USER@HOST[:PORT]/DATABASE")
        }
        guard components.password == nil else {
            throw .invalid(Self.redacted(text), "a password does not belong in the plan; set PGPASSWORD or ENMIGRATE_PG_PASSWORD_FILE")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { _, last in last }
        guard query["password"] == nil else {
            throw .invalid(Self.redacted(text), "a password does not belong in the plan; set PGPASSWORD or ENMIGRATE_PG_PASSWORD_FILE")
        }
        guard let tls = TLSMode(rawValue: query["sslmode"] ?? "prefer") else {
            throw .invalid(text, "sslmode must be disable, prefer or require")
        }
        let schema = query["schema"] ?? "enmigrate"
        guard schema.range(of: #"^[a-z_][a-z0-9_]{0,62}$"#, options: .regularExpression) != nil else {
            throw .invalid(text, "schema must be a lower-case identifier (letters, digits, _)")
        }
        switch query["layout"] ?? "enmigrate" {
        case "enmigrate": referenceTable = nil
        case "reference":
            let table = query["table"] ?? "public.exposure"
            guard table.range(of: #"^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$"#, options: .regularExpression) != nil else {
                throw .invalid(text, "table must be schema.table in lower case, e.g. public.exposure")
            }
            referenceTable = table
        default: throw .invalid(text, "layout must be enmigrate (the default) or reference")
        }
        let database = String(components.path.drop { $0 == "/" })
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user ?? ProcessInfo.processInfo.environment["PGUSER"] ?? "postgres"
        self.database = database.isEmpty ? self.username : database
        self.tls = tls
        self.schema = schema
    }

    /// The same database with its tables in another schema (tests isolate themselves so).
    public func inSchema(_ name: String) throws(PostgresLocationError) -> PostgresLocation {
        try PostgresLocation(
            url: "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)&schema=\(name)"
                + (referenceTable.map { "&layout=reference&table=\($0)" } ?? ""))
    }

    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)&schema=\(schema)"
            + (referenceTable.map { "&layout=reference&table=\($0)" } ?? "")
    }

    /// The password from the environment or its file, if any; a file readable by others is refused.
    public static func password(environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresLocationError) -> String? {
        if let password = environment["PGPASSWORD"] { return password }
        guard let path = environment["ENMIGRATE_PG_PASSWORD_FILE"] else { return nil }
        // stat, not lstat: a password file mounted as a symbolic link (a Kubernetes secret) is
        // judged by the mode of the file it points to, not the link's 777.
        var info = stat()
        guard stat(path, &info) == 0, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .passwordFile(path, "cannot be read")
        }
        let mode = Int(info.st_mode) & 0o7777
        if mode & 0o077 != 0 {
            throw .passwordFile(path, "is readable by others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        return text.trimmingCharacters(in: .newlines)
    }

    private static func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression)
            .replacingOccurrences(of: #"password=[^&]*"#, with: "password=***", options: .regularExpression)
    }
}

/// Why a PostgreSQL location cannot be used.
public enum PostgresLocationError: Error, Equatable, CustomStringConvertible {
    case invalid(String, String)
    case passwordFile(String, String)

    public var description: String {
        switch self {
        case let .invalid(url, reason): "\(url): \(reason)"
        case let .passwordFile(path, reason): "ENMIGRATE_PG_PASSWORD_FILE \(path) \(reason)"
        }
    }
}
