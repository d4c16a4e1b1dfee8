import ExposureExport
import Foundation
import MigrationStoreContracts

/// Reads objects, trying transient failures (timeouts, dropped connections, 5xx, 404) again
/// with exponential backoff; permanent failures are thrown at once.
struct RetryingReader: Sendable {
    let store: any BlobStore
    let retry: TransientRetry
    let sleep: @Sendable (Duration) async throws -> Void

    /// The object's bytes, or the last error once the attempts are used up.
    func read(_ path: String) async throws -> Data {
        var wait = retry.backoff
        var attempt = 1
        while true {
            do {
                return try await store.read(path)
            } catch let error as BlobStoreError where error.isTransient && attempt < retry.attempts {
                try await sleep(wait)
                wait = min(wait * 2, retry.maxBackoff)
                attempt += 1
            }
        }
    }

    /// A feed's index at `path` (`<root>/index.txt`), checked: sorted, no duplicates, every
    /// entry inside `<root>`. Also returns the bytes as served (their digest identifies it).
    func index(at path: String) async throws -> (index: ExportIndex, data: Data) {
        let data = try await read(path)
        let root = path.split(separator: "/").dropLast().joined(separator: "/")
        return (try ExportIndex.parse(String(decoding: data, as: UTF8.self), file: path, root: root), data)
    }
}
