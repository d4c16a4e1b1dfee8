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
    public func apply() async throws { try request.write(to: folder) }

    public func verify() async throws {
        guard request.isWritten(in: folder) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: folder.path]) }
    }
}
