import Foundation

extension ExportSigningKey {
    /// Writes this key as `<folder>/<name>.key.pem` (PKCS#8, mode 600) and its public half as
    /// `<folder>/<name>.pub.pem`: the layout `scripts/make-plan-keys` produces. For tests,
    /// rehearsals and the demo; production keys live in a KMS.
    @discardableResult
    public func writeKeyPair(to folder: URL, name: String) throws -> (privateKey: URL, publicKey: URL) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let privateURL = folder.appendingPathComponent("\(name).key.pem")
        let publicURL = folder.appendingPathComponent("\(name).pub.pem")
        // Create the file with mode 600 before any key byte is written to it.
        guard FileManager.default.createFile(atPath: privateURL.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: privateURL.path])
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: privateURL.path)
        let handle = try FileHandle(forWritingTo: privateURL)
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(pemRepresentation.utf8))
        try handle.close()
        try Data(publicKey.pemRepresentation.utf8).write(to: publicURL)
        return (privateURL, publicURL)
    }
}
