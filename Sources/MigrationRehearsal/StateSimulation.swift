import ExposureExport
import Foundation
import MigrationStores

/// The simulated state server of a rehearsal: publishes a day of real, freshly generated
/// diagnosis keys at a time into its client feed (and, depending on the plan's second-feed
/// source, into the second feed it writes itself or into its own key database), like the
/// reference server's export worker: signed files, each written atomically, the index last.
final class StateSimulation: Sendable {
    /// One published client file and the keys in it.
    struct PublishedFile: Sendable {
        let name: String
        let keys: [Data]
    }

    let shape: RehearsalShape
    let layout: RehearsalLayout
    let days: Int
    let keysPerDay: Int
    /// Where an external second feed is published: the rehearsal folder's, or a kept bucket.
    let secondFeed: any BlobStore
    private let clientSigner: ExportSigner
    private let secondFeedSigner: ExportSigner
    private let firstDay: UInt64
    private let now: Date

    init(
        shape: RehearsalShape, layout: RehearsalLayout, keys: RehearsalKeys, days: Int, keysPerDay: Int, now: Date = Date(),
        secondFeed: (any BlobStore)? = nil
    ) {
        self.secondFeed = secondFeed ?? FileBlobStore(root: layout.secondFeed)
        self.shape = shape
        self.layout = layout
        self.days = days
        self.keysPerDay = keysPerDay
        self.now = now
        clientSigner = ExportSigner(key: keys.stateClient, keyID: shape.clientKey.id, keyVersion: shape.clientKey.version)
        secondFeedSigner = ExportSigner(key: keys.secondFeed, keyID: shape.secondFeedKey.id, keyVersion: shape.secondFeedKey.version)
        firstDay = (UInt64(now.timeIntervalSince1970) / 86_400 - UInt64(days)) * 86_400
    }

    /// A key the importer refuses by rule (report type RECURSIVE): the `refused-key` fault.
    static func recursiveKey(startingBefore start: UInt64) -> ExportKey {
        ExportKey(
            keyData: Data(repeating: 0xEE, count: 16), transmissionRiskLevel: 2,
            rollingStartIntervalNumber: Int32(start / 600) - 144 * 2, reportType: 4)
    }

    /// A key published as `likely` (CONFIRMED_CLINICAL_DIAGNOSIS) on the first day and revoked
    /// on the last: the `revocation` fault (a `likely` key may be revoked; a confirmed one may not).
    static func revocableKey(startingBefore start: UInt64) -> ExportKey {
        ExportKey(
            keyData: Data(repeating: 0xDD, count: 16), transmissionRiskLevel: 4,
            rollingStartIntervalNumber: Int32(start / 600) - 144 * 2, reportType: 2)
    }

    /// The first day's start (UTC seconds).
    var firstDayStart: UInt64 { firstDay }

    /// Publishes day `day` (0-based) with keys from `generator`, plus `extraKeys`, and `revoking`
    /// as revised keys (report type REVOKED); returns its client files.
    func publish(day: Int, using generator: inout SeededGenerator, extraKeys: [ExportKey] = [], revoking: [Data] = []) async throws -> [PublishedFile] {
        let start = firstDay + UInt64(day) * 86_400
        let keys = (0..<keysPerDay).map { _ in Self.key(startingBefore: start, using: &generator) } + extraKeys
        let revised = revoking.map { ExportKey(keyData: $0, transmissionRiskLevel: 6, rollingStartIntervalNumber: Int32(start / 600) - 144, reportType: 5) }
        let batch = ExportBatch(start: start, end: start + 86_400, region: shape.stateRegion, keys: keys, revisedKeys: revised)
        // Two files a day, so a feed has enough files for faults to hit one and spare the rest.
        let files = batch.files(root: shape.clientRoot, maxKeysPerFile: max(1, (keysPerDay + 1) / 2))
        try await write(files, signer: clientSigner, to: layout.cdn, root: shape.clientRoot)
        if shape.hasOrigin {
            try await write(files, signer: clientSigner, to: layout.origin, root: shape.clientRoot)
        }
        switch shape.secondFeedSource {
        case .clientFeed: break
        case .external:
            let renamed = batch.files(root: shape.secondFeedRoot, maxKeysPerFile: max(1, (keysPerDay + 1) / 2))
            try await write(renamed, signer: secondFeedSigner, to: secondFeed, root: shape.secondFeedRoot)
        case .keyStore:
            let store = try SQLiteKeyStore(path: layout.stateKeyStore.path)
            let stored = keys.map {
                StoredKey(
                    keyData: $0.keyData, transmissionRisk: Int($0.transmissionRiskLevel ?? 0),
                    intervalNumber: $0.rollingStartIntervalNumber ?? 0, regions: [shape.stateRegion], createdAt: now)
            }
            _ = try await store.importFile(url: "rehearsal:day-\(day)", digest: "", keys: stored, at: now)
        }
        return files.map { file in PublishedFile(name: file.name, keys: file.contents.keys.map(\.keyData)) }
    }

    /// Republishes `file` under its name with `extra` keys added (signed again, like a state
    /// that regenerated an export), where the state publishes it; returns the new file.
    func republish(_ file: PublishedFile, adding extra: [ExportKey]) async throws -> PublishedFile {
        let cdn = FileBlobStore(root: layout.cdn)
        var contents = try ExportArchive.read(zip: try await cdn.read(file.name), name: file.name).contents()
        contents.keys += extra
        let data = try ExportArchiveWriter(signers: [clientSigner]).archive(for: contents)
        for folder in shape.hasOrigin ? [layout.cdn, layout.origin] : [layout.cdn] {
            try await FileBlobStore(root: folder).write(data, to: file.name)
        }
        return PublishedFile(name: file.name, keys: file.keys + extra.map(\.keyData))
    }

    private func write(_ files: [ExportBatchFile], signer: ExportSigner, to folder: URL, root: String) async throws {
        try await write(files, signer: signer, to: FileBlobStore(root: folder), root: root)
    }

    private func write(_ files: [ExportBatchFile], signer: ExportSigner, to store: any BlobStore, root: String) async throws {
        let writer = ExportArchiveWriter(signers: [signer])
        for file in files {
            try await store.write(try writer.archive(for: file.contents), to: file.name)
        }
        let indexPath = root + "/index.txt"
        var entries: [String] = []
        if try await store.exists(indexPath) {
            let text = String(decoding: try await store.read(indexPath), as: UTF8.self)
            entries = try ExportIndex.parse(text, file: indexPath, root: root).entries
        }
        try await store.write(Data(ExportIndex(entries: entries + files.map(\.name)).text.utf8), to: indexPath)
    }

    /// A key like a phone uploads: random bytes, a 144-interval key from up to 13 days before
    /// its publication day, and a transmission risk from 1 to 8.
    private static func key(startingBefore start: UInt64, using generator: inout SeededGenerator) -> ExportKey {
        var bytes = [UInt8](repeating: 0, count: 16)
        for offset in stride(from: 0, to: 16, by: 8) {
            withUnsafeBytes(of: generator.next()) { bytes.replaceSubrange(offset..<offset + 8, with: $0) }
        }
        let interval = Int32(start / 600) - 144 * Int32.random(in: 1...13, using: &generator)
        return ExportKey(
            keyData: Data(bytes), transmissionRiskLevel: Int32.random(in: 1...8, using: &generator),
            rollingStartIntervalNumber: interval)
    }
}
