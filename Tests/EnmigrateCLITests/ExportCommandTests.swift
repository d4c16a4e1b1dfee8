import Foundation
import Testing
import ExposureExport

@Suite("enmigrate export, run as a user runs it")
struct ExportCommandTests {
    /// A folder with a private key (mode 600), its public half and a publish-format keys file.
    private func workspace(keyCount: Int = 25) throws -> URL {
        let folder = try CommandRunner.temporaryFolder()
        let (privateURL, publicURL) = try ExportSigningKey.generate().writeKeyPair(to: folder, name: "state")
        try FileManager.default.moveItem(at: privateURL, to: folder.appendingPathComponent("signing.pem"))
        try FileManager.default.moveItem(at: publicURL, to: folder.appendingPathComponent("public.pem"))
        let keys = (0..<keyCount).map { index -> [String: Any] in
            let bytes = Data((0..<16).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &* 7 &+ index >> 8) })
            return ["key": bytes.base64EncodedString(), "rollingStartNumber": 2_650_000 + index, "rollingPeriod": 144, "transmissionRisk": index % 8]
        }
        let json = try JSONSerialization.data(withJSONObject: ["temporaryExposureKeys": keys])
        try json.write(to: folder.appendingPathComponent("keys.json"))
        return folder
    }

    private func build(_ folder: URL, maxKeys: Int = 10) throws -> CommandRunner.Output {
        try CommandRunner.run(
            [
                "export", "build", "--keys", "keys.json", "--private-key", "signing.pem", "--key-id", "310",
                "--key-version", "v1", "--region", "US-XX", "--root", "exposureKeyExport-US-XX",
                "--start", "2020-11-20T00:00:00Z", "--end", "1605916800", "--out", "out",
                "--max-keys-per-file", String(maxKeys),
            ], in: folder)
    }

    @Test("build writes split, signed files and a sorted index; verify accepts each; inspect --json reads them")
    func buildVerifyInspect() throws {
        #expect(FileManager.default.isExecutableFile(atPath: CommandRunner.binary.path), "build the enmigrate product first")
        let folder = try workspace()
        let built = try build(folder)
        #expect(built.status == 0, "\(built.stderr)")
        let index = try String(contentsOf: folder.appendingPathComponent("out/exposureKeyExport-US-XX/index.txt"), encoding: .utf8)
        let names = index.split(separator: "\n").map(String.init)
        #expect(
            names == [
                "exposureKeyExport-US-XX/1605830400-1605916800-00001.zip",
                "exposureKeyExport-US-XX/1605830400-1605916800-00002.zip",
                "exposureKeyExport-US-XX/1605830400-1605916800-00003.zip",
            ])
        #expect(!index.hasSuffix("\n"))
        for name in names {
            let path = "out/" + name
            let verified = try CommandRunner.run(
                ["export", "verify", path, "--public-key", "public.pem", "--key-id", "310", "--key-version", "v1"], in: folder)
            #expect(verified.status == 0, "\(verified.stderr)")
        }
        let inspected = try CommandRunner.run(["export", "inspect", "out/" + names[2], "--json"], in: folder)
        #expect(inspected.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        #expect(document["keys"] as? Int == 5)
        #expect(document["region"] as? String == "US-XX")
        #expect(document["endTimestamp"] as? Int == 1_605_916_803)
        #expect((document["anomalies"] as? [Any])?.isEmpty == true)
    }

    @Test("verify fails with exit 1 and the reason for a tampered file, a wrong key version and a wrong key")
    func verifyFailures() throws {
        let folder = try workspace(keyCount: 3)
        #expect(try build(folder).status == 0)
        let path = "out/exposureKeyExport-US-XX/1605830400-1605916800-00001.zip"
        let wrongVersion = try CommandRunner.run(
            ["export", "verify", path, "--public-key", "public.pem", "--key-id", "310", "--key-version", "v2"], in: folder)
        #expect(wrongVersion.status == 1)
        #expect(wrongVersion.stderr.contains("no signature for key id.version '310.v2'"))

        let other = ExportSigningKey.generate().publicKey.pemRepresentation
        try other.write(to: folder.appendingPathComponent("other.pem"), atomically: true, encoding: .utf8)
        let wrongKey = try CommandRunner.run(["export", "verify", path, "--public-key", "other.pem"], in: folder)
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stderr.contains("does not verify"))

        let url = folder.appendingPathComponent(path)
        let archive = try ExportArchive.load(contentsOf: url)
        var bin = archive.exportBin
        bin[bin.count - 1] ^= 0x01
        try bin.write(to: folder.appendingPathComponent("export.bin"))
        try #require(archive.exportSig).write(to: folder.appendingPathComponent("export.sig"))
        let tampered = try CommandRunner.run(["export", "verify", "export.bin", "--public-key", "public.pem"], in: folder)
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("changed after signing"))
    }

    @Test("a private key readable by others is refused, naming the file and the fix")
    func openPrivateKeyRefused() throws {
        let folder = try workspace(keyCount: 2)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.appendingPathComponent("signing.pem").path)
        let result = try build(folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("signing.pem"))
        #expect(result.stderr.contains("chmod 600"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    @Test("inspect exits 1 for a file that is not an export, naming it")
    func inspectRejectsJunk() throws {
        let folder = try CommandRunner.temporaryFolder()
        try Data("not an export".utf8).write(to: folder.appendingPathComponent("index"))
        let result = try CommandRunner.run(["export", "inspect", "index"], in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("index"))
        #expect(result.stderr.contains("not-an-archive"))
    }

    @Test("an existing index that cannot be read stops the build and is left as it was")
    func unreadableIndexKept() throws {
        let folder = try workspace(keyCount: 3)
        let index = folder.appendingPathComponent("out/exposureKeyExport-US-XX/index.txt")
        try FileManager.default.createDirectory(at: index.deletingLastPathComponent(), withIntermediateDirectories: true)
        let garbage = Data([0x65, 0xFF, 0xFE, 0x0A])
        try garbage.write(to: index)
        let result = try build(folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("index.txt: the existing index is not UTF-8 text"))
        #expect(try Data(contentsOf: index) == garbage)
    }

    @Test("a second build keeps the index's earlier entries and stays sorted")
    func indexAccumulates() throws {
        let folder = try workspace(keyCount: 3)
        #expect(try build(folder).status == 0)
        let second = try CommandRunner.run(
            [
                "export", "build", "--keys", "keys.json", "--private-key", "signing.pem", "--key-id", "310",
                "--key-version", "v1", "--region", "US-XX", "--root", "exposureKeyExport-US-XX",
                "--start", "1605744000", "--end", "1605830400", "--out", "out",
            ], in: folder)
        #expect(second.status == 0, "\(second.stderr)")
        let index = try String(contentsOf: folder.appendingPathComponent("out/exposureKeyExport-US-XX/index.txt"), encoding: .utf8)
        #expect(index == "exposureKeyExport-US-XX/1605744000-1605830400-00001.zip\nexposureKeyExport-US-XX/1605830400-1605916800-00001.zip")
    }
}
