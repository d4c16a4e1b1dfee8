import Foundation

/// A blob store on a local folder (`file://` locations). Writes are atomic: a temporary file
/// in the same folder, flushed to disk, then renamed over the target. Paths never leave the root,
/// lexically (no `..`) and through symbolic links: the root itself may be a link (it is
/// resolved, and the store is confined to where it points), but an object or folder whose link
/// resolves outside it is refused with ``BlobStoreError/outsideRoot(path:resolved:root:)``.
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

    /// The object's URL once its resolved path is known to stay inside the resolved root.
    /// `followLast: false` checks only the folder (writing or deleting a link replaces or
    /// removes the link itself; it never writes through it).
    private func confined(_ path: String, followLast: Bool = true) throws(BlobStoreError) -> URL {
        let url = try url(path)
        let realRoot = Self.resolved(root.path)
        let checked =
            followLast
            ? Self.resolved(url.path)
            : Self.resolved(url.deletingLastPathComponent().path) + "/" + url.lastPathComponent
        guard checked == realRoot || checked.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") else {
            throw .outsideRoot(path: path, resolved: checked, root: realRoot)
        }
        return url
    }

    /// `path` with its symbolic links resolved as far as it exists (the part that does not
    /// exist yet is appended as it is).
    static func resolved(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while true {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return rest.isEmpty ? base : (base == "/" ? "" : base) + "/" + rest.reversed().joined(separator: "/")
            }
            let parent = (existing as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != existing else { return path }
            rest.append((existing as NSString).lastPathComponent)
            existing = parent
        }
    }

    public func read(_ path: String) async throws -> Data {
        let url = try confined(path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw BlobStoreError.notFound(path: path) }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw BlobStoreError.io(path: path, reason: error.localizedDescription)
        }
    }

    /// Through ``DurableFile``: temporary file, fsync, rename, fsync of the folder.
    public func write(_ data: Data, to path: String) async throws {
        let target = try confined(path, followLast: false)
        do {
            try DurableFile.write(data, to: target)
        } catch let failure as DurableFile.Failure {
            throw BlobStoreError.io(path: path, reason: failure.reason)
        } catch {
            throw BlobStoreError.io(path: path, reason: error.localizedDescription)
        }
    }

    /// Checked just before the rename, once the new content is on disk: a local folder has no
    /// compare-and-swap, so this narrows the window a concurrent writer can slip through to
    /// the rename itself.
    public func write(_ data: Data, to path: String, if precondition: BlobPrecondition) async throws {
        let target = try confined(path, followLast: false)
        let holds = { () throws -> Void in
            let current = try? self.statVersion(target)
            switch precondition {
            case .absent where current != nil: throw BlobStoreError.preconditionFailed(path: path, expected: precondition.description)
            case .version(let expected) where current != expected: throw BlobStoreError.preconditionFailed(path: path, expected: expected)
            default: return
            }
        }
        do {
            try DurableFile.write(data, to: target, beforeRename: holds)
        } catch let failure as BlobStoreError {
            throw failure
        } catch let failure as DurableFile.Failure {
            throw BlobStoreError.io(path: path, reason: failure.reason)
        } catch {
            throw BlobStoreError.io(path: path, reason: error.localizedDescription)
        }
    }

    public func exists(_ path: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: try confined(path).path)
    }

    public func list(under prefix: String) async throws -> [String] {
        let folder = prefix.isEmpty ? root : try confined(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        let base = prefix.isEmpty ? "" : (prefix.hasSuffix("/") ? prefix : prefix + "/")
        return names.filter { !$0.hasPrefix(".") }.map { base + $0 }
            .filter { (try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent($0).path)[.type] as? FileAttributeType) == .typeRegular }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Device, inode, size and modification time: an atomic replace (a new inode) or an
    /// in-place rewrite (a new size or time) changes it.
    public func version(of path: String) async throws -> String? {
        try statVersion(try confined(path), path: path)
    }

    private func statVersion(_ url: URL, path: String = "") throws(BlobStoreError) -> String {
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
        let url = try confined(path, followLast: false)
        if FileManager.default.fileExists(atPath: url.path) {
            do { try FileManager.default.removeItem(at: url) } catch {
                throw BlobStoreError.io(path: path, reason: error.localizedDescription)
            }
        }
    }
}
