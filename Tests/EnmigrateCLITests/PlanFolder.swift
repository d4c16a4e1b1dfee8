import ExposureExport
import Foundation

/// A temporary folder with plans/read-only.yaml as `plan.yaml` (its /srv locations moved
/// inside the folder), freshly generated key files under keys/, and a small client feed signed
/// with the client key under client-cdn/ (the plan reads it as a file: feed; the HTTP path is
/// tested with a loopback server where it matters).
enum PlanFolder {
    static let examplePlan = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("plans/read-only.yaml")

    static let clientRoot = "exposureKeyExport-US-XX"

    static func make(
        mode: String = "read-only", clientIndex: String = "file:client-cdn/exposureKeyExport-US-XX/index.txt",
        clientFiles: Int = 3, keysPerFile: Int = 40
    ) throws -> URL {
        let folder = try CommandRunner.temporaryFolder()
        for name in ["state-client", "state-to-national", "national"] {
            try ExportSigningKey.generate().writeKeyPair(to: folder.appendingPathComponent("keys"), name: name)
        }
        try writeClientFeed(in: folder, files: clientFiles, keysPerFile: keysPerFile)
        let text = try String(contentsOf: examplePlan, encoding: .utf8)
            .replacingOccurrences(of: "file:///srv/", with: "file:srv/")
            // The national feed phones will read is the one enmigrate exports here (loopback only).
            .replacingOccurrences(of: "https://national.example/exposureKeyExport-US/index.txt", with: "file:srv/national/exposureKeyExport-US/index.txt")
            .replacingOccurrences(of: "https://cdn.state.example/exposureKeyExport-US-XX/index.txt", with: clientIndex)
            .replacingOccurrences(of: "backoff: 1s, maxBackoff: 60s", with: "backoff: 10ms, maxBackoff: 100ms")
            .replacingOccurrences(of: "mode: read-only ", with: "mode: \(mode) ")
        try text.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    /// Days of keys in `client-cdn/<root>/`, signed with keys/state-client.key.pem as 310.v1.
    static func writeClientFeed(in folder: URL, files: Int, keysPerFile: Int) throws {
        try writeFeed(in: folder, cdn: "client-cdn", keyName: "state-client", keyVersion: "v1", files: files, keysPerFile: keysPerFile)
    }

    /// Days of keys in `<cdn>/<root>/`, one file a day, signed with keys/<keyName>.key.pem as 310.<keyVersion>.
    /// Returns the file names; `startDay` shifts the days, `appending` adds to an existing index.
    @discardableResult
    static func writeFeed(
        in folder: URL, cdn cdnName: String, keyName: String, keyVersion: String, files: Int, keysPerFile: Int,
        startDay: Int = 0, appending: Bool = false
    ) throws -> [String] {
        let key = try ExportSigningKey.load(contentsOf: folder.appendingPathComponent("keys/\(keyName).key.pem"))
        let writer = ExportArchiveWriter(signers: [ExportSigner(key: key, keyID: "310", keyVersion: keyVersion)])
        let cdn = folder.appendingPathComponent(cdnName)
        let firstDay: UInt64 = 1_793_491_200
        let indexURL = cdn.appendingPathComponent("\(clientRoot)/index.txt")
        var names: [String] = appending ? try String(contentsOf: indexURL, encoding: .utf8).split(separator: "\n").map(String.init) : []
        for day in startDay..<startDay + files {
            let start = firstDay + UInt64(day) * 86_400
            let keys = (0..<keysPerFile).map { _ in
                ExportKey(
                    keyData: Data((0..<16).map { _ in UInt8.random(in: 0...255) }), transmissionRiskLevel: 4,
                    rollingStartIntervalNumber: Int32(start / 600) - 288, reportType: 1, daysSinceOnsetOfSymptoms: 1)
            }
            for file in ExportBatch(start: start, end: start + 86_400, region: "US-XX", keys: keys).files(root: clientRoot, maxKeysPerFile: 100_000) {
                let url = cdn.appendingPathComponent(file.name)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try writer.archive(for: file.contents).write(to: url)
                names.append(file.name)
            }
        }
        try FileManager.default.createDirectory(at: indexURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(ExportIndex(entries: names).text.utf8).write(to: indexURL)
        return names
    }
}
