import CaseReport
import Foundation
import Testing
@testable import ExposureExport

@Suite("Key files")
struct KeyFileTests {
    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a private key file readable by others is refused with the chmod fix")
    func refusesOpenPrivateKey() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("signing.pem")
        try ExportSigningKey.generate().pemRepresentation.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: KeyFileError.readableByOthers(path: file.path, mode: 0o644)) {
            try ExportSigningKey.load(contentsOf: file)
        }
        let message = KeyFileError.readableByOthers(path: file.path, mode: 0o644).description
        #expect(message.contains("chmod 600"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        _ = try ExportSigningKey.load(contentsOf: file)
    }

    @Test("a key file that is a symbolic link is judged by its target's mode, as Kubernetes mounts secrets")
    func symbolicLink() throws {
        let folder = try temporaryFolder()
        // A secret volume: key.pem -> ..data/key.pem, ..data -> ..2026_11_01/ (the link's own mode is 777).
        let versioned = folder.appendingPathComponent("..2026_11_01")
        try FileManager.default.createDirectory(at: versioned, withIntermediateDirectories: true)
        let target = versioned.appendingPathComponent("key.pem")
        try ExportSigningKey.generate().pemRepresentation.write(to: target, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target.path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("..data").path, withDestinationPath: "..2026_11_01")
        let link = folder.appendingPathComponent("key.pem")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "..data/key.pem")
        _ = try ExportSigningKey.load(contentsOf: link)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.path)
        do {
            _ = try ExportSigningKey.load(contentsOf: link)
            Issue.record("loaded a key others can read")
        } catch {
            #expect(error == .linkTargetReadableByOthers(path: link.path, target: target.resolvingSymlinksInPath().path, mode: 0o644))
            #expect(
                error.description.contains("a link to") && error.description.contains("chmod 600 \(target.resolvingSymlinksInPath().path)"),
                "\(error)")
            CaseReport.record(
                90, case: "a private key that is a symbolic link (a Kubernetes secret)",
                handling: "the target's mode is checked: loads when it is 600", operatorSees: error.description,
                test: "KeyFileTests.symbolicLink")
        }
    }

    @Test("SEC1 and PKCS#8 private keys load and match their public half by fingerprint")
    func loadsBothPrivateKeyForms() throws {
        let key = ExportSigningKey.generate()
        let pkcs8 = try ExportSigningKey(pem: key.key.pemRepresentation)
        let sec1 = try ExportSigningKey(pem: Self.sec1PEM(for: key))
        #expect(pkcs8.publicKey.fingerprint == key.publicKey.fingerprint)
        #expect(sec1.publicKey.fingerprint == key.publicKey.fingerprint)
        let pub = try ExportPublicKey(pem: key.publicKey.pemRepresentation)
        #expect(pub.fingerprint == key.publicKey.fingerprint)
        #expect(pub.fingerprint.hex.count == 64)
    }

    @Test("a public key given where a private key belongs is named as that, not as a permissions problem")
    func publicKeyAsPrivate() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("national.pub.pem")
        try ExportSigningKey.generate().publicKey.pemRepresentation.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: KeyFileError.wrongKind(path: file.path, expected: "PRIVATE KEY or EC PRIVATE KEY", found: "PUBLIC KEY")) {
            try ExportSigningKey.load(contentsOf: file)
        }
        CaseReport.record(
            95, case: "a public key file given as `privateKey` (mode 644)", handling: "refused as the wrong kind, not as a permissions problem",
            operatorSees: KeyFileError.wrongKind(path: file.path, expected: "PRIVATE KEY or EC PRIVATE KEY", found: "PUBLIC KEY").description,
            test: "KeyFileTests.publicKeyAsPrivate")
    }

    @Test("a private key where a public key belongs names both kinds")
    func wrongKind() throws {
        let key = ExportSigningKey.generate()
        #expect(throws: KeyFileError.wrongKind(path: "k.pem", expected: "PUBLIC KEY", found: "PRIVATE KEY")) {
            try ExportPublicKey(pem: key.pemRepresentation, path: "k.pem")
        }
        #expect(throws: KeyFileError.notPEM(path: "x")) { try ExportPublicKey(pem: "hello", path: "x") }
    }

    @Test("the signing key's description never shows key material")
    func descriptionIsRedacted() {
        let key = ExportSigningKey.generate()
        let base64 = key.key.rawRepresentation.base64EncodedString()
        #expect(!"\(key)".contains(base64))
        #expect("\(key)".contains(key.publicKey.fingerprint.short))
    }

    /// SEC1 `ECPrivateKey` DER built by hand (as `openssl ecparam -genkey` writes it): version 1,
    /// the 32-byte scalar, the named curve, the uncompressed public point.
    static func sec1PEM(for key: ExportSigningKey) -> String {
        let scalar = [UInt8](key.key.rawRepresentation)
        let oid: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        let point = [UInt8](key.key.publicKey.x963Representation)
        var body: [UInt8] = [0x02, 0x01, 0x01, 0x04, 0x20] + scalar
        body += [0xA0, UInt8(oid.count)] + oid
        body += [0xA1, UInt8(point.count + 3), 0x03, UInt8(point.count + 1), 0x00] + point
        let der: [UInt8] = [0x30, UInt8(body.count)] + body
        return "-----BEGIN EC PRIVATE KEY-----\n" + Data(der).base64EncodedString()
            + "\n-----END EC PRIVATE KEY-----\n"
    }
}

@Suite("Key pair files")
struct KeyPairFileTests {
    @Test("a written pair loads back: the private file has mode 600 and matches the public file")
    func writeKeyPair() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-pair-\(UUID().uuidString)")
        let key = ExportSigningKey.generate()
        let (privateURL, publicURL) = try key.writeKeyPair(to: folder, name: "state")
        let mode = try FileManager.default.attributesOfItem(atPath: privateURL.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try ExportSigningKey.load(contentsOf: privateURL).publicKey == key.publicKey)
        #expect(try ExportPublicKey.load(contentsOf: publicURL) == key.publicKey)
    }
}
