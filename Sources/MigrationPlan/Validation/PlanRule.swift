import ExposureExport
import Foundation

/// A semantic check beyond the schema. Rules read the decoded plan and report through the
/// context, which knows where every value stood in the file.
protocol PlanRule: Sendable {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext)
}

/// A check a caller adds to the plan's own rules (the command line's offline check of bucket
/// locations and their credentials, which needs the storage drivers): it reads the decoded
/// plan and names each problem by the JSON pointer of the value at fault.
public protocol PlanCheck: Sendable {
    func problems(in plan: MigrationPlan) -> [PlanCheckProblem]
}

/// One problem a ``PlanCheck`` found; reported at the line of the value `path` points to.
public struct PlanCheckProblem: Sendable {
    public let path: String
    public let code: String
    public let message: String
    public let hint: String?
    public let severity: PlanDiagnostic.Severity

    public init(path: String, code: String, message: String, hint: String? = nil, severity: PlanDiagnostic.Severity = .error) {
        self.path = path
        self.code = code
        self.message = message
        self.hint = hint
        self.severity = severity
    }
}

/// What rules share: the reader (locations, reporting) and the key files, each loaded once.
final class PlanRuleContext {
    let reader: PlanReader
    private var publicKeys: [String: Result<ExportPublicKey, KeyFileError>] = [:]

    init(reader: PlanReader) {
        self.reader = reader
    }

    func report(
        _ path: String, _ code: String, _ message: String, hint: String? = nil,
        severity: PlanDiagnostic.Severity = .error
    ) {
        reader.report(reader.location(of: path), path, code, message, hint: hint, severity: severity)
    }

    /// The public half of the key file at `path` (a private key file gives its public half).
    func publicKey(ofFile path: String, isPrivate: Bool) -> Result<ExportPublicKey, KeyFileError> {
        if let cached = publicKeys[path] { return cached }
        let url = URL(fileURLWithPath: path)
        let result = Result { () throws(KeyFileError) -> ExportPublicKey in
            isPrivate ? try ExportSigningKey.load(contentsOf: url).publicKey : try ExportPublicKey.load(contentsOf: url)
        }
        publicKeys[path] = result
        return result
    }

    /// The fingerprint of a reference's key file, when it loads (problems are reported by the key file rule).
    func fingerprint(_ key: KeyReference) -> KeyFingerprint? {
        if let path = key.privateKey { return try? publicKey(ofFile: path, isPrivate: true).get().fingerprint }
        if let path = key.publicKey { return try? publicKey(ofFile: path, isPrivate: false).get().fingerprint }
        return nil
    }
}

extension MigrationPlan {
    /// Every key the plan names, with the JSON pointer of its mapping.
    var keyReferences: [(path: String, key: KeyReference)] {
        var keys: [(String, KeyReference)] = [("/state/clientFeed/key", state.clientFeed.key)]
        if let key = state.secondFeed.key { keys.append(("/state/secondFeed/key", key)) }
        keys.append(("/national/feed/key", national.feed.key))
        for (index, trusted) in national.trustedStateKeys.enumerated() {
            keys.append(("/national/trustedStateKeys/\(index)", trusted.key))
        }
        if let export = national.export { keys.append(("/national/export/key", export.key)) }
        return keys
    }

    /// Every URL the plan reads or writes, with its JSON pointer.
    public var urls: [(path: String, url: URL)] {
        var urls: [(String, URL)] = [
            ("/state/clientFeed/index", state.clientFeed.index),
            ("/state/secondFeed/location", state.secondFeed.location),
            ("/state/clientMirror/location", state.clientMirror.location),
            ("/national/feed/index", national.feed.index),
        ]
        if let origin = state.clientFeed.origin { urls.append(("/state/clientFeed/origin", origin)) }
        if let export = national.export { urls.append(("/national/export/location", export.location)) }
        return urls
    }
}
