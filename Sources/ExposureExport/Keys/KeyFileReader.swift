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

    /// Refuses a file whose mode grants any access to group or others.
    static func requirePrivatePermissions(_ url: URL) throws(KeyFileError) {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        } catch {
            throw .unreadable(path: url.path, reason: "no such file")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        if mode & 0o077 != 0 {
            throw .readableByOthers(path: url.path, mode: mode)
        }
    }
}
