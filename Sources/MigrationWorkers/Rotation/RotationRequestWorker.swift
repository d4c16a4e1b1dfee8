import Foundation
import MigrationEngine

/// Writes the key-rotation request bundle as the run reaches the `key-rotation` gate.
public struct RotationRequestWorker: MigrationWorker {
    public let request: RotationRequest
    public let folder: URL
    public var name: String { "rotation-request" }

    public init(request: RotationRequest, folder: URL) {
        self.request = request
        self.folder = folder
    }

    public func describePlannedWork() async throws -> String {
        "write the key-rotation request for Apple/Google (key \(request.keyID)/\(request.keyVersion), \(request.fingerprint.prefix(16))…) to \(folder.path)"
    }

    public func isDone() async throws -> Bool { request.isWritten(in: folder) }
    /// Writes the request; refuses to replace one already written for another national key
    /// (it may have been sent: Apple/Google would switch phones to the key it names).
    public func apply() async throws {
        if let written = RotationRequest.writtenFingerprint(in: folder), written != request.fingerprint {
            throw MirrorError.rotationKeyChanged(requested: written, now: request.fingerprint)
        }
        try request.write(to: folder)
    }

    public func verify() async throws {
        guard request.isWritten(in: folder) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: folder.path]) }
    }
}
