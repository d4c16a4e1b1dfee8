import Foundation

/// Writes a local file so that a crash leaves the old or the whole new content: a temporary
/// file in the same folder, flushed to disk, renamed over the target, then the folder flushed
/// so the rename itself survives a power loss. The file blob store and the workers' local
/// records (mirror state, coverage baseline) all write through it.
public enum DurableFile {
    /// Why a durable write failed.
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// `beforeRename` runs once the new content is on disk, just before it replaces the old:
    /// the narrowest place for a last check (a conditional write's precondition).
    public static func write(_ data: Data, to url: URL, beforeRename: () throws -> Void = {}) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw Failure(path: temporary.path, reason: "cannot be created")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            try beforeRename()
            guard rename(temporary.path, url.path) == 0 else { throw Failure(path: url.path, reason: "rename failed: \(String(cString: strerror(errno)))") }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        let descriptor = open(folder.path, O_RDONLY)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            close(descriptor)
        }
    }
}
