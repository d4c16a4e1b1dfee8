import Foundation
import MigrationStores
import Synchronization
@testable import MigrationWorkers

/// A store that counts the reads of each path, to see what a pass downloads.
final class CountingStore: BlobStore {
    let inner: any BlobStore
    private let counts = Mutex([String: Int]())

    init(_ inner: any BlobStore) { self.inner = inner }

    func reads(of path: String) -> Int { counts.withLock { $0[path] ?? 0 } }
    func reads(where matches: (String) -> Bool) -> Int { counts.withLock { $0.filter { matches($0.key) }.values.reduce(0, +) } }

    func read(_ path: String) async throws -> Data {
        counts.withLock { $0[path, default: 0] += 1 }
        return try await inner.read(path)
    }
    func write(_ data: Data, to path: String) async throws { try await inner.write(data, to: path) }
    func exists(_ path: String) async throws -> Bool { try await inner.exists(path) }
    func list(under prefix: String) async throws -> [String] { try await inner.list(under: prefix) }
    func delete(_ path: String) async throws { try await inner.delete(path) }
    func version(of path: String) async throws -> String? { try await inner.version(of: path) }
}

/// A store whose content version never changes (a CDN serving a stale ETag, damage at rest
/// that leaves size and time alone): only a full read on the schedule can notice a change.
struct UnchangingVersionStore: BlobStore {
    let inner: any BlobStore
    func read(_ path: String) async throws -> Data { try await inner.read(path) }
    func write(_ data: Data, to path: String) async throws { try await inner.write(data, to: path) }
    func exists(_ path: String) async throws -> Bool { try await inner.exists(path) }
    func list(under prefix: String) async throws -> [String] { try await inner.list(under: prefix) }
    func delete(_ path: String) async throws { try await inner.delete(path) }
    func version(of path: String) async throws -> String? {
        guard try await inner.exists(path) else { throw BlobStoreError.notFound(path: path) }
        return "always-the-same"
    }
}

/// A clock a test moves.
final class TestClock: Sendable {
    private let time: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { time = Mutex(start) }
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var environment: WorkerEnvironment { WorkerEnvironment(now: { [self] in now }, sleep: { _ in }) }
}
