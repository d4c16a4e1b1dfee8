import Foundation

/// File access shared by the key loaders: reading text and checking a private key's mode.
enum KeyFileReader {
    static func readText(_ url: URL) throws(KeyFileError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "permission denied or not a file" : "no such file"
            throw .unreadable(path: url.path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .notPEM(path: url.path) }
        return text
    }

    /// Refuses a file whose mode grants any access to group or others. The mode checked is the
    /// *target's*: a key file may be a symbolic link (Kubernetes mounts secrets as links into
    /// `..data/`), and a link's own mode (777 on Linux) says nothing about who can read the key.
    static func requirePrivatePermissions(_ url: URL) throws(KeyFileError) {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw .unreadable(path: url.path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        let mode = Int(info.st_mode) & 0o7777
        if mode & 0o077 != 0 {
            let target = url.resolvingSymlinksInPath().path
            if target != url.path { throw .linkTargetReadableByOthers(path: url.path, target: target, mode: mode) }
            throw .readableByOthers(path: url.path, mode: mode)
        }
    }
}
