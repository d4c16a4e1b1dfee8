import ArgumentParser
import ExposureExport
import Foundation
import MigrationStores

/// `enmigrate export build …`: write signed export files and an index, like the reference server.
struct ExportBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write signed export files and an index from a publish-format keys file.",
        discussion: """
            Files go to OUT/<root>/<start>-<end>-<NNNNN>.zip, each written atomically; the index \
            OUT/<root>/index.txt is written last and keeps the entries it already had. Times are unix \
            seconds or RFC 3339 (2020-05-01T00:00:00Z).
            """
    )

    @Option(help: "Publish-format JSON with temporaryExposureKeys[].")
    var keys: String

    @Option(name: .customLong("private-key"), help: "PEM private key (PKCS#8 or SEC1), mode 600.")
    var privateKey: String

    @Option(name: .customLong("key-id"), help: "verification_key_id, e.g. the MCC 310.")
    var keyID: String

    @Option(name: .customLong("key-version"), help: "verification_key_version, e.g. v1.")
    var keyVersion: String

    @Option(help: "Region written into the files.")
    var region: String

    @Option(help: "Folder under OUT the files and index.txt go in (the feed's root).")
    var root: String

    @Option(help: "Batch start (unix seconds or RFC 3339).")
    var start: String

    @Option(help: "Batch end (unix seconds or RFC 3339).")
    var end: String

    @Option(help: "Output folder (the bucket / CDN root).")
    var out: String

    @Option(name: .customLong("max-keys-per-file"), help: "Split the batch above this many keys per file.")
    var maxKeysPerFile = 750_000

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    func validate() throws {
        guard maxKeysPerFile > 0 else { throw ValidationError("--max-keys-per-file must be positive") }
        guard root.range(of: #"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"#, options: .regularExpression) != nil,
            !root.split(separator: "/").contains("..")
        else {
            throw ValidationError("--root must be a relative folder name like exposureKeyExport-US")
        }
    }

    func run() async throws {
        do {
            let written = try await build()
            if json {
                try printJSON(["files": written, "index": [root + "/index.txt"]])
            } else {
                written.forEach { print("wrote \($0)") }
                print("wrote \(root)/index.txt")
            }
        } catch {
            printError("error: \(error)")
            throw EnmigrateExit.error
        }
    }

    private func build() async throws -> [String] {
        let signer = ExportSigner(
            key: try ExportSigningKey.load(contentsOf: URL(fileURLWithPath: privateKey)),
            keyID: keyID, keyVersion: keyVersion)
        let batch = ExportBatch(
            start: try Self.timestamp(start, option: "--start"), end: try Self.timestamp(end, option: "--end"),
            region: region, keys: try PublishedKeysFile.load(URL(fileURLWithPath: keys)))
        // The same atomic, root-confined writes the workers use.
        let store = FileBlobStore(root: URL(fileURLWithPath: out))
        let writer = ExportArchiveWriter(signers: [signer])
        let files = batch.files(root: root, maxKeysPerFile: maxKeysPerFile)
        for file in files {
            try await store.write(try writer.archive(for: file.contents), to: file.name)
        }
        let indexPath = root + "/index.txt"
        var entries = files.map(\.name)
        // An existing index that cannot be read or parsed stops the build instead of being
        // replaced by one that forgets its entries.
        if try await store.exists(indexPath) {
            guard let existing = String(data: try await store.read(indexPath), encoding: .utf8) else {
                throw ValidationFailure("\(out)/\(indexPath): the existing index is not UTF-8 text; fix or remove it first")
            }
            entries += try ExportIndex.parse(existing, file: out + "/" + indexPath, root: root).entries
        }
        try await store.write(Data(ExportIndex(entries: entries).text.utf8), to: indexPath)
        return files.map(\.name)
    }

    static func timestamp(_ text: String, option: String) throws -> UInt64 {
        if let seconds = UInt64(text) { return seconds }
        if let date = try? Date(text, strategy: .iso8601), date.timeIntervalSince1970 >= 0 {
            return UInt64(date.timeIntervalSince1970)
        }
        throw ValidationFailure("\(option) \(text): not unix seconds or an RFC 3339 time")
    }
}
