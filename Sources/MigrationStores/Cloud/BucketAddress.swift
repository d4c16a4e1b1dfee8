import Foundation

/// A bucket location from the plan, `s3://BUCKET/PREFIX` or `gs://BUCKET/PREFIX`: which
/// service, the bucket and the folder objects live under (no leading or trailing `/`).
public struct BucketAddress: Sendable, Hashable, CustomStringConvertible {
    /// Which protocol the bucket speaks.
    public enum Service: String, Sendable {
        case s3
        case gcs = "gs"
    }

    public let service: Service
    public let bucket: String
    /// The folder inside the bucket (`""` for the bucket's top).
    public let prefix: String

    /// Parses the URL, or says why it is not a bucket location.
    public init(_ url: URL) throws(CloudCredentialError) {
        guard let scheme = url.scheme?.lowercased(), let service = Service(rawValue: scheme) else {
            throw CloudCredentialError("\(url.absoluteString): not an s3:// or gs:// location")
        }
        guard let bucket = url.host, !bucket.isEmpty else {
            throw CloudCredentialError("\(url.absoluteString): names no bucket (write \(scheme)://BUCKET/PREFIX)")
        }
        if let problem = Self.bucketNameProblem(bucket) {
            throw CloudCredentialError("\(url.absoluteString): bucket name `\(bucket)` \(problem)")
        }
        if url.port != nil || url.user != nil || url.query != nil || url.fragment != nil {
            throw CloudCredentialError("\(url.absoluteString): a bucket location is \(scheme)://BUCKET/PREFIX, with no port, user, query or fragment")
        }
        let segments = url.path.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains(where: { $0 == "." || $0 == ".." }) {
            throw CloudCredentialError("\(url.absoluteString): `.` and `..` have no meaning in a bucket prefix")
        }
        self.service = service
        self.bucket = bucket
        self.prefix = segments.joined(separator: "/")
    }

    /// The object name of `path` (relative to the location) in the bucket.
    public func objectName(_ path: String) -> String {
        prefix.isEmpty ? path : prefix + "/" + path
    }

    public var description: String { "\(service.rawValue)://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)") }

    /// The naming rules both services share (3–63 characters of lower-case letters, digits,
    /// `-` and `.`, starting and ending with a letter or digit); nil when the name is good.
    static func bucketNameProblem(_ name: String) -> String? {
        guard (3...63).contains(name.count) else { return "must be 3 to 63 characters long" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-._")
        guard name.allSatisfy(allowed.contains) else { return "may hold only lower-case letters, digits, `-`, `.` and `_`" }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "must start and end with a letter or a digit"
        }
        return nil
    }
}
