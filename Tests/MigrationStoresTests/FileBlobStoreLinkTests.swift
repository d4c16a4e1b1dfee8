import CaseReport
import Foundation
import MigrationStores
import Testing

/// Issue 20, item 6: a file store follows no symbolic link out of its root.
@Suite("File store and symbolic links")
struct FileBlobStoreLinkTests {
    /// `<tmp>/location` (the store), `<tmp>/outside/secret.txt`, and `<tmp>/real` for a linked root.
    func folders() throws -> (base: URL, location: URL, outside: URL) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-links-\(UUID().uuidString)")
        let location = base.appendingPathComponent("location"), outside = base.appendingPathComponent("outside")
        for folder in [location, outside] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try Data("secret".utf8).write(to: outside.appendingPathComponent("secret.txt"))
        return (base, location, outside)
    }

    @Test("a root that is a link is resolved and used; a link inside pointing inside is followed")
    func linkedRoot() async throws {
        let (base, location, _) = try folders()
        let link = base.appendingPathComponent("linked-location")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: location)
        let store = FileBlobStore(root: link)
        try await store.write(Data("a".utf8), to: "r/a.zip")
        #expect(try await store.read("r/a.zip") == Data("a".utf8))
        #expect(FileManager.default.fileExists(atPath: location.appendingPathComponent("r/a.zip").path))
        try FileManager.default.createSymbolicLink(atPath: location.appendingPathComponent("r/b.zip").path, withDestinationPath: "a.zip")
        #expect(try await store.read("r/b.zip") == Data("a".utf8))
    }

    @Test("an object or a folder whose link points outside the root is refused, naming the path and where it points")
    func linkOutside() async throws {
        let (_, location, outside) = try folders()
        let store = FileBlobStore(root: location)
        try FileManager.default.createDirectory(at: location.appendingPathComponent("r"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: location.appendingPathComponent("r/index.txt"),
            withDestinationURL: outside.appendingPathComponent("secret.txt"))
        let realOutside = outside.resolvingSymlinksInPath().path
        let realLocation = location.resolvingSymlinksInPath().path
        await #expect(throws: BlobStoreError.outsideRoot(path: "r/index.txt", resolved: realOutside + "/secret.txt", root: realLocation)) {
            try await store.read("r/index.txt")
        }
        let message = BlobStoreError.outsideRoot(path: "r/index.txt", resolved: realOutside + "/secret.txt", root: realLocation).description
        #expect(message.contains("r/index.txt") && message.contains(realOutside + "/secret.txt") && message.contains("symbolic link"))
        CaseReport.record(
            100, case: "a link inside a `file:` location (a feed root, `index.txt`) pointing outside it",
            handling: "refused, read and write", operatorSees: message, test: "FileBlobStoreLinkTests.linkOutside")
        // A root folder (the feed's `<root>`) that is a link out of the location.
        try FileManager.default.createSymbolicLink(at: location.appendingPathComponent("evil-root"), withDestinationURL: outside)
        await #expect(throws: BlobStoreError.outsideRoot(path: "evil-root/secret.txt", resolved: realOutside + "/secret.txt", root: realLocation)) {
            try await store.read("evil-root/secret.txt")
        }
        await #expect(throws: BlobStoreError.self) { try await store.write(Data("x".utf8), to: "evil-root/planted.zip") }
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("planted.zip").path))
        await #expect(throws: BlobStoreError.self) { try await store.version(of: "evil-root/secret.txt") }
        await #expect(throws: BlobStoreError.self) { try await store.exists("evil-root/secret.txt") }
        // Replacing the link itself is a write inside the root: it never writes through it.
        try await store.write(Data("index".utf8), to: "r/index.txt")
        #expect(try String(contentsOf: outside.appendingPathComponent("secret.txt"), encoding: .utf8) == "secret")
        #expect(try await store.read("r/index.txt") == Data("index".utf8))
    }
}
