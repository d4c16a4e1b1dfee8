import ExposureExport
import Foundation
import MigrationStores
@testable import MigrationWorkers
import Testing

/// A migration whose feeds all live in buckets on the loopback S3 (moto) and GCS
/// (fake-gcs-server) servers of `scripts/with-buckets`: the state's CDN (client feed and client
/// mirror) in S3, the second feed and the national feed in GCS.
@Suite("A migration on cloud buckets (S3 and GCS on loopback)", .enabled(if: BucketServers.available))
struct BucketMigrationTests {
    struct Setup {
        let folder: URL
        let stateCDN: S3BlobStore
        let national: GCSBlobStore
        let secondFeed: GCSBlobStore
        let environment: [String: String]
        let files: Int
        let keysPerFile: Int
    }

    func setUp(files: Int = 4, keysPerFile: Int = 40, maxKeysPerFile: Int = 17000, mode: String = "read-only") async throws -> Setup {
        let folder = try PlanFolder.make(mode: mode, clientFiles: files, keysPerFile: keysPerFile)
        let id = UUID().uuidString.prefix(8).lowercased()
        let s3Bucket = "state-cdn-\(id)", gcsBucket = "national-\(id)"
        let s3Endpoint = try BucketServers.url(BucketServers.s3Variable), gcsEndpoint = try BucketServers.url(BucketServers.gcsVariable)
        let credentials = AWSCredentials(accessKeyID: "AKIABUCKETTEST", secretAccessKey: "bucket-test-secret", source: "the test")
        let stateCDN = S3BlobStore(
            address: try BucketAddress(URL(string: "s3://\(s3Bucket)")!), endpoint: .init(url: s3Endpoint, pathStyle: true),
            signer: SigV4Signer(credentials: credentials, region: "us-east-1"))
        try await stateCDN.createBucketIfMissing()
        // The state's CDN today: its client feed, uploaded as the state's exporter does.
        let local = FileBlobStore(root: folder.appendingPathComponent("client-cdn"))
        for name in try await local.list(under: PlanFolder.clientRoot) {
            try await stateCDN.write(try await local.read(name), to: name)
        }
        let national = GCSBlobStore(address: try BucketAddress(URL(string: "gs://\(gcsBucket)/national")!), endpoint: gcsEndpoint, account: nil)
        try await national.createBucketIfMissing()
        let secondFeed = GCSBlobStore(address: try BucketAddress(URL(string: "gs://\(gcsBucket)/to-national")!), endpoint: gcsEndpoint, account: nil)
        let planURL = folder.appendingPathComponent("plan.yaml")
        let text =
            try String(contentsOf: planURL, encoding: .utf8)
            .replacingOccurrences(of: "file:client-cdn/exposureKeyExport-US-XX/index.txt", with: "s3://\(s3Bucket)/exposureKeyExport-US-XX/index.txt")
            .replacingOccurrences(of: "file:srv/state/cdn/", with: "s3://\(s3Bucket)/")
            .replacingOccurrences(of: "file:srv/state/to-national/", with: "gs://\(gcsBucket)/to-national/")
            .replacingOccurrences(of: "file:srv/national/exposureKeyExport-US/index.txt", with: "gs://\(gcsBucket)/national/exposureKeyExport-US/index.txt")
            .replacingOccurrences(of: "file:srv/national/", with: "gs://\(gcsBucket)/national/")
            .replacingOccurrences(of: "maxKeysPerFile: 17000", with: "maxKeysPerFile: \(maxKeysPerFile)")
                + """
                buckets:
                  s3: { endpoint: "\(s3Endpoint.absoluteString)", region: us-east-1 }
                  gcs: { endpoint: "\(gcsEndpoint.absoluteString)" }
                  cacheControl: { index: "no-cache, max-age=0" }

                """
        try text.write(to: planURL, atomically: true, encoding: .utf8)
        let environment = [
            "AWS_ACCESS_KEY_ID": credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": credentials.secretAccessKey,
            "HOME": folder.path, "AWS_PROFILE": "", "STORAGE_EMULATOR_HOST": "",
        ]
        return Setup(
            folder: folder, stateCDN: stateCDN, national: national, secondFeed: secondFeed, environment: environment,
            files: files, keysPerFile: keysPerFile)
    }

    func run(_ arguments: [String], _ setup: Setup) async throws -> CommandRunner.Output {
        try await offPool { try CommandRunner.run(arguments, in: setup.folder, environment: setup.environment) }
    }

    /// What phones read from the state's CDN bucket, verified with the national key.
    func phoneKeys(_ setup: Setup) async throws -> (keys: Int, problems: Int) {
        let phone = PhoneFeedReader(
            store: setup.stateCDN, indexPath: "exposureKeyExport-US-XX/index.txt",
            key: TrustedKey(
                keyID: "310", keyVersion: "v3",
                publicKey: try ExportPublicKey.load(contentsOf: setup.folder.appendingPathComponent("keys/national.pub.pem"))))
        let read = try await phone.read()
        return (read.keys.count, read.rejectedFiles.count + read.unavailableFiles.count)
    }

    @Test("validate, a dry run that writes nothing, apply to the gate with the coverage proof, the swap on approval; phones read every key from the bucket")
    func wholeMigration() async throws {
        let setup = try await setUp()
        let original = try await setup.stateCDN.read("exposureKeyExport-US-XX/index.txt")

        let validated = try await run(["validate", "plan.yaml"], setup)
        #expect(validated.status == 0, "\(validated.stdout)\n\(validated.stderr)")
        let dryRun = try await run(["plan", "plan.yaml"], setup)
        #expect([0, 2].contains(dryRun.status), "\(dryRun.stdout)\n\(dryRun.stderr)")
        #expect(try await setup.secondFeed.list(under: "exposureKeyExport-US-XX").isEmpty, "the dry run wrote to the second feed")
        #expect(try await setup.national.list(under: "exposureKeyExport-US").isEmpty, "the dry run wrote to the national feed")

        let waiting = try await run(["apply", "plan.yaml", "--once"], setup)
        #expect(waiting.status == 4, "\(waiting.stdout)\n\(waiting.stderr)")
        #expect(waiting.stdout.contains("check coverage: passed"), "\(waiting.stdout)")
        #expect(try await setup.stateCDN.read("exposureKeyExport-US-XX/index.txt") == original, "nothing is published before the approval")
        #expect(try await setup.secondFeed.list(under: "exposureKeyExport-US-XX").count == setup.files + 1)
        #expect(try await setup.stateCDN.exists("exposureKeyExport-US-XX/index.txt.staged"))

        let approved = try await run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], setup)
        #expect(approved.status == 0, "\(approved.stdout)\n\(approved.stderr)")
        let published = String(decoding: try await setup.stateCDN.read("exposureKeyExport-US-XX/index.txt"), as: UTF8.self)
        #expect(published.split(separator: "\n").allSatisfy { $0.hasPrefix("exposureKeyExport-US-XX/national-") }, "\(published)")
        #expect(try await setup.stateCDN.read("exposureKeyExport-US-XX/index.txt.before-cut-over") == original)
        let phone = try await phoneKeys(setup)
        #expect(phone.keys == setup.files * setup.keysPerFile && phone.problems == 0)
        // The headers the CDN passes on to phones: the plan's index Cache-Control, the default for files.
        #expect(
            try await setup.stateCDN.storedHeaders(of: "exposureKeyExport-US-XX/index.txt")
                == StoredHeaders(contentType: "text/plain", cacheControl: "no-cache, max-age=0"))
        let fileName = try #require(published.split(separator: "\n").first.map(String.init))
        #expect(
            try await setup.stateCDN.storedHeaders(of: fileName)
                == StoredHeaders(contentType: "application/zip", cacheControl: PublishHeaders.defaultFileCacheControl))

        let proof = try await run(["verify", "plan.yaml"], setup)
        #expect(proof.status == 0, "\(proof.stdout)\n\(proof.stderr)")
        let steady = try await run(["apply", "plan.yaml", "--once"], setup)
        #expect(steady.status == 0, "\(steady.stdout)\n\(steady.stderr)")
    }

    @Test("a national file gone from its bucket: the coverage proof does not pass and the cut-over is not approved into")
    func unavailableNationalFile() async throws {
        let setup = try await setUp(files: 2)
        let waiting = try await run(["apply", "plan.yaml", "--once"], setup)
        #expect(waiting.status == 4, "\(waiting.stdout)\n\(waiting.stderr)")
        let national = try await setup.national.list(under: "exposureKeyExport-US").filter { $0.hasSuffix(".zip") }
        try await setup.national.delete(try #require(national.first))
        let proof = try await run(["verify", "plan.yaml"], setup)
        #expect(proof.status == 3 && proof.stdout.contains("coverage is inconclusive"), "\(proof.stdout)\n\(proof.stderr)")
        let original = try await setup.stateCDN.read("exposureKeyExport-US-XX/index.txt")
        let approved = try await run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], setup)
        #expect(approved.status != 0 && approved.stdout.contains("the client index was not swapped: inconclusive"), "\(approved.stdout)\n\(approved.stderr)")
        #expect(try await setup.stateCDN.read("exposureKeyExport-US-XX/index.txt") == original, "phones keep the state's index")
    }

    @Test("full: the three gates in turn on buckets, then complete; phones still read every key from the bucket")
    func fullMigration() async throws {
        let setup = try await setUp(files: 2, mode: "full")
        #expect(try await run(["apply", "plan.yaml", "--once"], setup).status == 4)
        #expect(try await run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "a"], setup).status == 4)
        #expect(try await run(["approve", "plan.yaml", "--gate", "app-update", "--by", "a"], setup).status == 4)
        let last = try await run(["approve", "plan.yaml", "--gate", "decommission", "--by", "a"], setup)
        #expect(last.status == 0, "\(last.stdout)\n\(last.stderr)")
        let status = try await run(["status", "plan.yaml", "--json"], setup)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(report["phase"] as? String == "complete" && report["status"] as? String == "succeeded", "\(status.stdout)")
        let phone = try await phoneKeys(setup)
        #expect(phone.keys == setup.files * setup.keysPerFile && phone.problems == 0)
    }

    @Test("killed right after the approval, before or during the swap: apply resumes to one whole swap, phones read every key")
    func killedDuringTheSwap() async throws {
        let setup = try await setUp(maxKeysPerFile: 20)
        let waiting = try await run(["apply", "plan.yaml", "--once"], setup)
        #expect(waiting.status == 4, "\(waiting.stdout)\n\(waiting.stderr)")
        _ = try await offPool {
            try CommandRunner.runAndKill(
                ["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice"], in: setup.folder,
                environment: setup.environment
            ) { $0.contains("gate key-rotation approved") }
        }
        let resumed = try await run(["apply", "plan.yaml", "--once"], setup)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        let lines = String(decoding: try await setup.stateCDN.read("exposureKeyExport-US-XX/index.txt"), as: UTF8.self).split(separator: "\n")
        let staged = String(decoding: try await setup.stateCDN.read("exposureKeyExport-US-XX/index.txt.staged"), as: UTF8.self).split(separator: "\n")
        #expect(lines == staged && lines.count == setup.files * setup.keysPerFile / 20)
        let phone = try await phoneKeys(setup)
        #expect(phone.keys == setup.files * setup.keysPerFile && phone.problems == 0)
    }

    @Test("rehearse --keep-buckets runs the second and national feeds in the plan's buckets on the emulators, and says so; without it, folders")
    func rehearseKeepingBuckets() async throws {
        let setup = try await setUp(files: 1)
        let plan = setup.folder.appendingPathComponent("plan.yaml").path
        let kept = try await run(
            [
                "rehearse", plan, "--days", "3", "--keys-per-day", "60", "--seed", "5", "--keep-buckets", "--faults", "kill",
                "--folder", setup.folder.appendingPathComponent("kept").path, "--json",
            ], setup)
        #expect(kept.status == 0, "\(kept.stdout)\n\(kept.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(kept.stdout.utf8)) as? [String: Any])
        let said = try #require(report["buckets"] as? String)
        #expect(said.hasPrefix("kept the plan's buckets: the second feed in gs://") && said.contains("the national feed in gs://"), "\(said)")
        // Nothing where the plan's own national feed would be: only under rehearsal-…/.
        #expect(try await !setup.national.exists("exposureKeyExport-US/index.txt"))
        let runID = try #require(said.components(separatedBy: "/national/").dropFirst().first?.split(separator: "/").first.map(String.init))
        #expect(try await setup.national.exists("\(runID)/exposureKeyExport-US/index.txt"), "\(said)")

        let replaced = try await run(
            [
                "rehearse", plan, "--days", "3", "--keys-per-day", "60", "--seed", "5",
                "--folder", setup.folder.appendingPathComponent("folders").path,
            ], setup)
        #expect(
            replaced.status == 0 && replaced.stdout.contains("were replaced with folders; --keep-buckets keeps them"), "\(replaced.stdout)\n\(replaced.stderr)")
    }

    @Test("rehearse --keep-buckets refuses buckets that are not on a loopback emulator: a rehearsal never writes into real buckets")
    func rehearseRefusesRealBuckets() async throws {
        let setup = try await setUp(files: 1)
        let planURL = setup.folder.appendingPathComponent("plan.yaml")
        let text = try String(contentsOf: planURL, encoding: .utf8)
        try String(text[..<text.range(of: "buckets:")!.lowerBound]).write(to: planURL, atomically: true, encoding: .utf8)
        let refused = try await run(
            ["rehearse", planURL.path, "--days", "3", "--keep-buckets", "--folder", setup.folder.appendingPathComponent("r").path], setup)
        #expect(
            refused.status == 1 && (refused.stdout + refused.stderr).contains("a rehearsal never writes into real buckets"),
            "\(refused.stdout)\n\(refused.stderr)")
    }

    @Test("validate refuses a bad bucket name and missing credentials offline, at the plan's line")
    func offlineRefusals() async throws {
        let setup = try await setUp(files: 1)
        let planURL = setup.folder.appendingPathComponent("plan.yaml")
        let good = try String(contentsOf: planURL, encoding: .utf8)
        try good.replacingOccurrences(of: "gs://national-", with: "gs://National_").write(to: planURL, atomically: true, encoding: .utf8)
        let badName = try await run(["validate", "plan.yaml"], setup)
        #expect(badName.status == 1 && (badName.stdout + badName.stderr).contains("plan.yaml:16:15: error[bad-bucket]"), "\(badName.stdout)\n\(badName.stderr)")
        try good.write(to: planURL, atomically: true, encoding: .utf8)
        let noKeys = setup.environment.merging(["AWS_ACCESS_KEY_ID": ""]) { $1 }
        let missing = try await offPool { try CommandRunner.run(["validate", "plan.yaml"], in: setup.folder, environment: noKeys) }
        let said = missing.stdout + missing.stderr
        #expect(
            missing.status == 1 && said.contains("plan.yaml:13:12: error[bucket-credentials]") && said.contains("no S3 credentials")
                && said.contains("no profile default in"), "\(said)")
        #expect(!said.contains("bucket-test-secret"))
    }
}

/// The loopback bucket servers of `scripts/with-buckets`.
enum BucketServers {
    static let s3Variable = "ENMIGRATE_TEST_S3"
    static let gcsVariable = "ENMIGRATE_TEST_GCS"

    /// Both servers are given, or the run is under CI (where their absence must fail, not skip).
    static var available: Bool {
        let environment = ProcessInfo.processInfo.environment
        return (environment[s3Variable] != nil && environment[gcsVariable] != nil) || environment["CI"] != nil
    }

    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String { "\(variable) is not set: run the tests through scripts/with-buckets (scripts/test does)" }
    }

    static func url(_ variable: String) throws -> URL {
        guard let text = ProcessInfo.processInfo.environment[variable], let url = URL(string: text) else { throw Missing(variable: variable) }
        return url
    }
}
