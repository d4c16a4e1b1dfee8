import ExposureExport
import Foundation
import MigrationStores
import Testing
@testable import MigrationWorkers

/// A store whose client index is rewritten by "someone else" in the instant before the mirror's
/// conditional swap reaches it: the state's exporter or a sync job racing the cut-over.
private struct RacingStore: BlobStore {
    let base: any BlobStore
    let racedPath: String
    let foreign: Data

    func read(_ path: String) async throws -> Data { try await base.read(path) }
    func write(_ data: Data, to path: String) async throws { try await base.write(data, to: path) }
    func exists(_ path: String) async throws -> Bool { try await base.exists(path) }
    func list(under prefix: String) async throws -> [String] { try await base.list(under: prefix) }
    func delete(_ path: String) async throws { try await base.delete(path) }
    func version(of path: String) async throws -> String? { try await base.version(of: path) }
    func write(_ data: Data, to path: String, if precondition: BlobPrecondition) async throws {
        if path == racedPath { try await base.write(foreign, to: path) }
        try await base.write(data, to: path, if: precondition)
    }
}

@Suite("The client index swap is conditional")
struct ClientIndexRaceTests {
    @Test("a client index rewritten between the mirror's read and its swap is detected and kept, not overwritten", arguments: [false, true])
    func racedSwap(onDisk: Bool) async throws {
        var national = FeedFixture(root: "exposureKeyExport-US")
        for _ in 0..<2 { try await national.add(FeedFixture.keys(5), signer: TestKeys.national) }
        let cdnStore: any BlobStore =
            onDisk
            ? FileBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-race-\(UUID().uuidString)"))
            : InMemoryBlobStore()
        let indexPath = "exposureKeyExport-US-XX/index.txt"
        try await cdnStore.write(Data("exposureKeyExport-US-XX/1793404800-1793491200-00001.zip".utf8), to: indexPath)
        let foreign = Data("exposureKeyExport-US-XX/1793404800-1793491200-00001.zip\nexposureKeyExport-US-XX/1793491200-1793577600-00001.zip".utf8)
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-race-\(UUID().uuidString).json")
        let mirror = ClientMirror(
            source: national.store, sourceIndexPath: "exposureKeyExport-US/index.txt", nationalKey: TestKeys.national.trustedKey,
            destination: RacingStore(base: cdnStore, racedPath: indexPath, foreign: foreign),
            root: "exposureKeyExport-US-XX", state: .file(stateFile), environment: testEnvironment())
        try await mirror.stage()
        await #expect(throws: MirrorError.clientIndexChangedBeforeSwap(path: indexPath)) { try await mirror.publish() }
        #expect(try await cdnStore.read(indexPath) == foreign)
        #expect(try MirrorState.load(from: stateFile).publishedDigest == nil)
    }
}
