import MigrationEngine

/// After the cut-over: at each pass copy new national files, verify them, swap the client
/// index, and delete files the published index no longer lists (``ClientMirror/steadyPass()``).
public struct MirrorWorker: MigrationWorker {
    public let mirror: ClientMirror
    public var name: String { "mirror" }

    public init(mirror: ClientMirror) {
        self.mirror = mirror
    }

    public func describePlannedWork() async throws -> String {
        "mirror new national files into \(mirror.root) on the client CDN and swap \(mirror.indexPath)"
    }

    public func isDone() async throws -> Bool { false }
    public func apply() async throws { try await mirror.steadyPass() }
    public func verify() async throws {}
    public func steadyPass() async throws { try await mirror.steadyPass() }
}
