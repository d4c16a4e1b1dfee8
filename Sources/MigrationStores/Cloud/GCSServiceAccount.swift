import AsyncHTTPClient
import Crypto
import CryptoExtras
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A Google service account's key file (the JSON `gcloud iam service-accounts keys create`
/// writes) and the OAuth2 access tokens it is exchanged for: a JWT signed with RS256, sent to
/// the key file's `token_uri` (the JWT bearer grant). Tokens are cached until a minute before
/// they expire. The key file must not be readable by other users; nothing of it is ever logged.
public final class GCSServiceAccount: Sendable {
    /// `client_email`, the account tokens are issued to.
    public let clientEmail: String
    /// Where the key file is, for messages.
    public let keyFile: String
    let tokenURI: String
    let keyID: String?
    private let privateKey: _RSA.Signing.PrivateKey
    private let cache = TokenCache()

    /// The scope tokens are asked for: objects read and written, nothing else.
    static let scope = "https://www.googleapis.com/auth/devstorage.read_write"

    /// Reads and checks the key file.
    public init(keyFile: String) throws(CloudCredentialError) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: keyFile) else {
            throw CloudCredentialError("\(keyFile): no such service-account key file")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw CloudCredentialError(
                "\(keyFile) can be read by other users (mode \(String(mode & 0o777, radix: 8))); it holds a private key: chmod 600 \(keyFile)")
        }
        guard let data = FileManager.default.contents(atPath: keyFile),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw CloudCredentialError("\(keyFile): not a JSON service-account key file")
        }
        guard object["type"] as? String == "service_account" else {
            throw CloudCredentialError(
                "\(keyFile): `type` is \(object["type"].map { "\($0)" } ?? "missing"), not service_account (user credentials from `gcloud auth` are not read; create a key for a service account)"
            )
        }
        guard let email = object["client_email"] as? String, let pem = object["private_key"] as? String else {
            throw CloudCredentialError("\(keyFile): client_email or private_key is missing")
        }
        do {
            privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw CloudCredentialError("\(keyFile): private_key is not an RSA private key of 2048 bits or more")
        }
        clientEmail = email
        self.keyFile = keyFile
        tokenURI = object["token_uri"] as? String ?? "https://oauth2.googleapis.com/token"
        keyID = object["private_key_id"] as? String
    }

    /// A bearer token valid for at least another minute.
    func token(http: CloudHTTP, now: @Sendable () -> Date = Date.init) async throws -> String {
        if let cached = cache.valid(at: now()) { return cached }
        let assertion = try jwt(issuedAt: now())
        let form =
            "grant_type=" + SigV4Signer.uriEncode("urn:ietf:params:oauth:grant-type:jwt-bearer", slash: true)
            + "&assertion=" + assertion
        let uri = tokenURI
        let (response, _) = try await http.send(path: tokenURI, limit: 1 << 20) {
            var request = HTTPClientRequest(url: uri)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
            return request
        }
        guard response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let token = object["access_token"] as? String
        else {
            let detail = (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["error_description"] as? String
            throw BlobStoreError.accessDenied(
                path: tokenURI,
                reason: "the token endpoint refused service account \(clientEmail) (HTTP \(response.status))"
                    + (detail.map { ": \($0)" } ?? ""))
        }
        let lifetime = (object["expires_in"] as? Int) ?? 3600
        cache.store(token, until: now().addingTimeInterval(TimeInterval(lifetime)))
        return token
    }

    /// The signed assertion: header and claims base64url-encoded, signed with RS256.
    func jwt(issuedAt: Date) throws -> String {
        var header: [String: String] = ["alg": "RS256", "typ": "JWT"]
        if let keyID { header["kid"] = keyID }
        let issued = Int(issuedAt.timeIntervalSince1970)
        let claims: [String: Any] = ["iss": clientEmail, "scope": Self.scope, "aud": tokenURI, "iat": issued, "exp": issued + 3600]
        let signingInput =
            Self.base64URL(try JSONSerialization.data(withJSONObject: header, options: .sortedKeys)) + "."
            + Self.base64URL(try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys))
        let signature = try privateKey.signature(for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5)
        return signingInput + "." + Self.base64URL(signature.rawRepresentation)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// The current access token and when it stops being used (a minute before it expires).
private final class TokenCache: Sendable {
    private let state = Mutex<(token: String, until: Date)?>(nil)

    func valid(at now: Date) -> String? {
        state.withLock { current in current.flatMap { $0.until > now ? $0.token : nil } }
    }

    func store(_ token: String, until expiry: Date) {
        state.withLock { $0 = (token, expiry.addingTimeInterval(-60)) }
    }
}
