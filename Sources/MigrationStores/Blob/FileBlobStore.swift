import Foundation

/// A blob store on a local folder (`file://` locations). Writes are atomic: a temporary file
/// in the same folder, flushed to disk, then renamed over the target. Paths never leave the root.
public struct FileBlobStore: BlobStore {
    /// The folder objects live under.
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    private func url(_ path: String) throws(BlobStoreError) -> URL {
        try BlobPath.validate(path)
        return root.appendingPathComponent(path)
    }

    public func read(_ path: String) async throws -> Data {
        let url = try url(path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw BlobStoreError.notFound(path: path) }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw BlobStoreError.io(path: path, reason: error.localizedDescription)
        }
    }

    public func write(_ data: Data, to path: String) async throws {
        let target = try url(path)
        let folder = target.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw BlobStoreError.io(path: path, reason: "cannot create a temporary file in \(folder.path)")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, target.path) == 0 else {
                throw BlobStoreError.io(path: path, reason: "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error as? BlobStoreError ?? .io(path: path, reason: error.localizedDescription)
        }
    }

    public func exists(_ path: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: try url(path).path)
    }

    public func list(under prefix: String) async throws -> [String] {
        let folder = prefix.isEmpty ? root : try url(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        let base = prefix.isEmpty ? "" : (prefix.hasSuffix("/") ? prefix : prefix + "/")
        return names.filter { !$0.hasPrefix(".") }.map { base + $0 }
            .filter { (try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent($0).path)[.type] as? FileAttributeType) == .typeRegular }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Device, inode, size and modification time: an atomic replace (a new inode) or an
    /// in-place rewrite (a new size or time) changes it.
    public func version(of path: String) async throws -> String? {
        let url = try url(path)
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            if errno == ENOENT { throw BlobStoreError.notFound(path: path) }
            throw BlobStoreError.io(path: path, reason: String(cString: strerror(errno)))
        }
        #if os(Linux)
        let modified = info.st_mtim
        #else
        let modified = info.st_mtimespec
        #endif
        return "file:\(info.st_dev):\(info.st_ino):\(info.st_size):\(modified.tv_sec).\(modified.tv_nsec)"
    }

    public func delete(_ path: String) async throws {
        let url = try url(path)
        if FileManager.default.fileExists(atPath: url.path) {
            do { try FileManager.default.removeItem(at: url) } catch {
                throw BlobStoreError.io(path: path, reason: error.localizedDescription)
            }
        }
    }
}
