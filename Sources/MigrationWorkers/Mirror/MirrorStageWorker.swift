import MigrationEngine
import MigrationStoreContracts

/// Before the rotation: stages the national feed in the client mirror (copied, verified, next
/// index prepared, nothing published). Passes again while the run waits for the approval.
public struct MirrorStageWorker: MigrationWorker {
    public let mirror: ClientMirror
    public var name: String { "mirror-stage" }

    public init(mirror: ClientMirror) {
        self.mirror = mirror
    }

    public func describePlannedWork() async throws -> String {
        "copy and verify the national feed into \(mirror.root)/national-*.zip on the client CDN and prepare (not publish) the client index"
    }

    public func isDone() async throws -> Bool {
        do {
            return try await mirror.isStaged()
        } catch BlobStoreError.notFound(let path) where path == mirror.sourceIndexPath {
            return true
        }
    }

    /// Nothing to stage before the national feed has an index; the coverage check waits for it.
    public func apply() async throws {
        do {
            try await mirror.stage()
        } catch BlobStoreError.notFound(let path) where path == mirror.sourceIndexPath {
            return
        }
    }

    public func verify() async throws {
        guard try await isDone() else { throw MirrorError.copyMismatch(file: mirror.stagedIndexPath) }
    }

    public func steadyPass() async throws { try await apply() }
}
