import CryptoExtras
import Crypto
import Foundation
import LoopbackFeedServer
import Testing
@testable import MigrationStores

@Suite("Bucket credentials")
struct CloudCredentialTests {
    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func write(_ text: String, to url: URL, mode: Int = 0o600) throws {
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    @Test("S3: the environment's keys, else a profile of the shared files; a profile the plan names wins over the environment")
    func chain() throws {
        let home = try folder()
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try write(
            "[default]\naws_access_key_id = AKIADEFAULT1\naws_secret_access_key = s1\n\n[ops]\naws_access_key_id=AKIAOPS22222\naws_secret_access_key=s2\naws_session_token = tok\n",
            to: home.appendingPathComponent(".aws/credentials"))
        try write("[profile ops]\nregion = eu-central-1\n[default]\nregion=us-west-2\n", to: home.appendingPathComponent(".aws/config"))
        let env = AWSConfigResolver(environment: ["HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIAENV33333", "AWS_SECRET_ACCESS_KEY": "s3"])
        #expect(try env.credentials(profile: nil).accessKeyID == "AKIAENV33333")
        let named = try env.credentials(profile: "ops")
        #expect(named.accessKeyID == "AKIAOPS22222" && named.sessionToken == "tok" && named.source.contains("profile ops"))
        #expect(try env.region(plan: nil, profile: "ops") == "eu-central-1")
        let files = AWSConfigResolver(environment: ["HOME": home.path])
        #expect(try files.credentials(profile: nil).accessKeyID == "AKIADEFAULT1")
        #expect(try files.region(plan: nil, profile: nil) == "us-west-2")
        #expect(try files.region(plan: "ap-south-1", profile: nil) == "ap-south-1")
        #expect(throws: CloudCredentialError.self) { try files.credentials(profile: "missing") }
        #expect(throws: CloudCredentialError.self) {
            try AWSConfigResolver(environment: ["HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIA"]).credentials(profile: nil)
        }
    }

    @Test("S3: a credentials file other users can read is refused, naming the file and the fix")
    func readableCredentials() throws {
        let home = try folder()
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try write("[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n", to: home.appendingPathComponent(".aws/credentials"), mode: 0o644)
        do {
            _ = try AWSConfigResolver(environment: ["HOME": home.path]).credentials(profile: nil)
            Issue.record("a world-readable credentials file was used")
        } catch {
            #expect(error.description.contains("chmod 600") && error.description.contains(".aws/credentials"))
        }
    }

    @Test("S3: a profile that needs SSO or a credential process says how to export its keys")
    func ssoProfile() throws {
        let home = try folder()
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try write("[profile sso]\nsso_session = corp\n", to: home.appendingPathComponent(".aws/config"))
        #expect(throws: CloudCredentialError.self) { try AWSConfigResolver(environment: ["HOME": home.path]).credentials(profile: "sso") }
    }

    /// A service-account key file with a new RSA key, as `gcloud iam service-accounts keys create` writes it.
    private func keyFile(tokenURI: String, mode: Int = 0o600) throws -> (path: String, key: _RSA.Signing.PrivateKey) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let object: [String: String] = [
            "type": "service_account", "client_email": "enmigrate@project.iam.gserviceaccount.com",
            "private_key": key.pemRepresentation, "private_key_id": "k1", "token_uri": tokenURI,
        ]
        let url = try folder().appendingPathComponent("sa.json")
        try write(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self), to: url, mode: mode)
        return (url.path, key)
    }

    @Test("GCS: the token request carries a JWT signed with the account's key; the token is cached")
    func serviceAccountToken() async throws {
        let served = try folder()
        try write(#"{"access_token":"ya29.test","expires_in":3600,"token_type":"Bearer"}"#, to: served.appendingPathComponent("token"))
        let server = try await LoopbackFeedServer.start(serving: served)
        defer { Task { await server.stop() } }
        let (path, key) = try keyFile(tokenURI: server.baseURL.absoluteString + "token")
        let account = try GCSServiceAccount(keyFile: path)
        let http = CloudHTTP()
        #expect(try await account.token(http: http) == "ya29.test")
        #expect(try await account.token(http: http) == "ya29.test")
        let bodies = server.postedBodies(for: "token")
        #expect(bodies.count == 1)
        let form = String(decoding: try #require(bodies.first), as: UTF8.self)
        #expect(form.hasPrefix("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="))
        let jwt = String(form.split(separator: "=").last ?? "")
        let parts = jwt.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        let decode = { (text: String) -> Data in
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            return Data(base64Encoded: base64) ?? Data()
        }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: decode(parts[2]))
        #expect(key.publicKey.isValidSignature(signature, for: SHA256.hash(data: Data("\(parts[0]).\(parts[1])".utf8)), padding: .insecurePKCS1v1_5))
        let claims = try #require(try JSONSerialization.jsonObject(with: decode(parts[1])) as? [String: Any])
        #expect(claims["iss"] as? String == "enmigrate@project.iam.gserviceaccount.com")
        #expect(claims["scope"] as? String == GCSServiceAccount.scope)
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(!other.publicKey.isValidSignature(signature, for: SHA256.hash(data: Data("\(parts[0]).\(parts[1])".utf8)), padding: .insecurePKCS1v1_5))
    }

    @Test("GCS: a key file other users can read, or user credentials, are refused")
    func badKeyFiles() throws {
        let (readable, _) = try keyFile(tokenURI: "https://oauth2.googleapis.com/token", mode: 0o640)
        #expect(throws: CloudCredentialError.self) { try GCSServiceAccount(keyFile: readable) }
        let user = try folder().appendingPathComponent("adc.json")
        try write(#"{"type":"authorized_user","client_id":"x","refresh_token":"y"}"#, to: user)
        #expect(throws: CloudCredentialError.self) { try GCSServiceAccount(keyFile: user.path) }
    }
}
