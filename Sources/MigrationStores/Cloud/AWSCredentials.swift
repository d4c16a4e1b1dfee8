import Foundation

/// The keys S3 requests are signed with, and where they came from. Its description names the
/// source and the access key's last four characters only; the secret is never shown.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    /// Present for temporary credentials (STS, SSO exports).
    public let sessionToken: String?
    /// Where they were found: `the environment`, `profile ci in ~/.aws/credentials`.
    public let source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String { "access key …\(accessKeyID.suffix(4)) from \(source)" }
}

/// Why no bucket credentials could be found or used; says where it looked and how to fix it.
public struct CloudCredentialError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Finds S3 credentials and the region the way the AWS CLI and SDKs do: the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then a profile of the
/// shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`) or the
/// config file (`AWS_CONFIG_FILE`, default `~/.aws/config`). A profile the plan names wins over
/// the environment's keys, as `--profile` does for the AWS CLI. Instance roles, SSO and
/// `credential_process` are not read: export their keys into the environment instead.
public struct AWSConfigResolver: Sendable {
    public let environment: [String: String]

    /// An empty variable counts as unset, as the AWS CLI reads it.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment.filter { !$0.value.isEmpty }
    }

    private var home: String { environment["HOME"] ?? NSHomeDirectory() }
    var credentialsFile: String { environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials" }
    var configFile: String { environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config" }

    /// The credentials for `profile` (the plan's), else the environment's, else `AWS_PROFILE`'s or `default`.
    public func credentials(profile: String?) throws(CloudCredentialError) -> AWSCredentials {
        if profile == nil, let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty {
            guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
                throw CloudCredentialError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or neither to use a profile")
            }
            return AWSCredentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                source: "the environment (AWS_ACCESS_KEY_ID)")
        }
        let name = profile ?? environment["AWS_PROFILE"] ?? "default"
        for (file, section) in [(credentialsFile, name), (configFile, name == "default" ? "default" : "profile \(name)")] {
            guard let values = try Self.section(section, of: file) else { continue }
            guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else {
                if values["credential_process"] != nil || values["sso_session"] != nil || values["sso_start_url"] != nil || values["role_arn"] != nil {
                    throw CloudCredentialError(
                        "profile \(name) in \(file) gets its keys from SSO, a role or a credential process, which enmigrate does not run; export the keys into AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (`aws configure export-credentials --profile \(name) --format env`)"
                    )
                }
                throw CloudCredentialError("profile \(name) in \(file) has no aws_access_key_id and aws_secret_access_key")
            }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: values["aws_session_token"], source: "profile \(name) in \(file)")
        }
        throw CloudCredentialError(
            "no S3 credentials: AWS_ACCESS_KEY_ID is not set and there is no profile \(name) in \(credentialsFile) or \(configFile); set the environment variables, or name a profile in buckets.s3.profile"
        )
    }

    /// The plan's region, else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region` in the config file.
    public func region(plan: String?, profile: String?) throws(CloudCredentialError) -> String? {
        if let plan { return plan }
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        let name = profile ?? environment["AWS_PROFILE"] ?? "default"
        return try Self.section(name == "default" ? "default" : "profile \(name)", of: configFile)?["region"]
    }

    /// The `key = value` lines of `[section]` in an INI file; nil when the file or section is
    /// missing. A file others can read is refused: it holds secrets.
    static func section(_ name: String, of path: String) throws(CloudCredentialError) -> [String: String]? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw CloudCredentialError("\(path) can be read by other users (mode \(String(mode & 0o777, radix: 8))); it holds secret keys: chmod 600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CloudCredentialError("\(path) cannot be read as UTF-8 text")
        }
        var current: String?
        var values: [String: String]?
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if current == name, values == nil { values = [:] }
                continue
            }
            guard current == name, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            values?[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }
}
