import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests, header-based (`Authorization: AWS4-HMAC-SHA256 …`).
///
/// Written here on swift-crypto rather than taken from an SDK: the whole algorithm is a canonical
/// string and four HMACs, and the S3 SDKs for Swift (Soto, the AWS SDK for Swift) each bring
/// dozens of modules and minutes of build time for the five S3 calls enmigrate makes.
/// Checked against the worked examples of AWS's S3 documentation (see the tests).
public struct SigV4Signer: Sendable {
    /// The keys a request is signed with.
    public let credentials: AWSCredentials
    /// The bucket's region (`us-east-1` for most S3-compatible servers).
    public let region: String
    /// `s3`.
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The SHA-256 of an empty body, which most S3 requests carry.
    public static let emptyPayloadHash = SHA256.hash(data: Data()).hex

    /// The headers to add to a request for it to be signed: `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` (temporary credentials) and `Authorization`. `headers` must
    /// include `host` exactly as it is sent; every header given is signed.
    /// `path` is the request path as sent (already percent-encoded), `query` its parameters.
    public func signedHeaders(
        method: String, path: String, query: [(String, String)], headers: [(String, String)],
        payloadHash: String, date: Date
    ) -> [(String, String)] {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        var signed = headers.map { ($0.0.lowercased(), Self.trimmed($0.1)) }
        signed.append(("x-amz-date", amzDate))
        signed.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        signed.sort { $0.0 < $1.0 }
        let names = signed.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            method, path.isEmpty ? "/" : path, Self.canonicalQuery(query),
            signed.map { "\($0.0):\($0.1)\n" }.joined(), names, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hash(data: Data(canonicalRequest.utf8)).hex].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hex
        var added = signed.filter { ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token"].contains($0.0) }
        added.append(("authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(names), Signature=\(signature)"))
        return added
    }

    /// `key=value` pairs, each percent-encoded as SigV4 asks, sorted by key then value.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(key: String, value: String)] = query.map { pair in
            (key: uriEncode(pair.0, slash: true), value: uriEncode(pair.1, slash: true))
        }
        let sorted = encoded.sorted { left, right in left.key == right.key ? left.value < right.value : left.key < right.key }
        return sorted.map { pair in pair.key + "=" + pair.value }.joined(separator: "&")
    }

    /// RFC 3986 encoding as SigV4 defines it: only `A–Z a–z 0–9 - . _ ~` stay as they are
    /// (and `/` in paths), everything else is `%XX` in upper case.
    public static func uriEncode(_ text: String, slash: Bool) -> String {
        var result = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) || (byte == slashByte && !slash) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    private static let slashByte = UInt8(ascii: "/")
    private static let unreserved: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// `20130524T000000Z`.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// Header values are signed with their outer spaces removed and inner runs of spaces folded.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, as SigV4 and content digests write bytes.
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

extension Digest {
    var hex: String { Array(self).hex }
}
