import Foundation
import Synchronization

/// The in-memory twin of the key store, for unit tests of logic.
public final class InMemoryKeyStore: ExposureKeyStore {
    private let state = Mutex((keys: [Data: StoredKey](), files: [String: ImportFileRecord]()))

    public init() {}

    public func importFile(url: String, digest: String, keys: [StoredKey], at: Date) async throws -> Int {
        state.withLock { state in
            if state.files[url]?.status == .imported { return 0 }
            var inserted = 0
            for key in keys where state.keys[key.keyData] == nil {
                state.keys[key.keyData] = key
                inserted += 1
            }
            let attempts = (state.files[url]?.attempts ?? 0) + 1
            state.files[url] = ImportFileRecord(url: url, status: .imported, attempts: attempts, lastError: nil,
                                                digest: digest, keysImported: inserted)
            return inserted
        }
    }

    public func recordFailure(url: String, reason: String, at: Date) async throws {
        state.withLock { state in
            // A file whose keys are stored stays imported.
            if state.files[url]?.status == .imported { return }
            let attempts = (state.files[url]?.attempts ?? 0) + 1
            state.files[url] = ImportFileRecord(url: url, status: .failed, attempts: attempts, lastError: reason,
                                                digest: nil, keysImported: 0)
        }
    }

    public func importFiles() async throws -> [ImportFileRecord] {
        state.withLock { $0.files.values.sorted { $0.url < $1.url } }
    }

    public func keyCount() async throws -> Int { state.withLock { $0.keys.count } }

    public func key(_ keyData: Data) async throws -> StoredKey? { state.withLock { $0.keys[keyData] } }
}
