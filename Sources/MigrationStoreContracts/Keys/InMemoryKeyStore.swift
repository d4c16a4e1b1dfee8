import Foundation
import Synchronization

/// The in-memory twin of the key store, for unit tests of logic.
public final class InMemoryKeyStore: ExposureKeyStore {
    private struct State {
        var keys: [Data: StoredKey] = [:]
        var files: [String: ImportFileRecord] = [:]
        var national: [String: NationalFileRecord] = [:]
        var assignment: [Data: String] = [:]
        /// When each key's revision was applied, and the national file its revision went to.
        var revisedAt: [Data: Date] = [:]
        var revisionAssignment: [Data: String] = [:]
        var claims: [String: (owner: String, until: Date)] = [:]

        /// Revisions applied by `cutoff` to keys in a national file (or in `assigning`), not yet exported.
        func pendingRevisions(cutoff: Date, alsoAssigning assigning: Set<Data>) -> [Data] {
            revisedAt.filter { key, at in
                at <= cutoff && revisionAssignment[key] == nil && (assignment[key] != nil || assigning.contains(key))
            }.map(\.key)
        }

        mutating func importFile(_ file: FileImport, at: Date) -> ImportOutcome {
            if files[file.url]?.status == .imported { return ImportOutcome(alreadyImported: true) }
            var outcome = ImportOutcome()
            for key in file.keys where keys[key.keyData] == nil {
                keys[key.keyData] = key
                outcome.inserted += 1
            }
            for revision in file.revisions {
                guard let stored = keys[revision.keyData] else {
                    outcome.reject(revision, code: "revision-unknown-key", because: "not a stored key")
                    continue
                }
                switch RevisionRule.decide(current: stored.reportType, previous: stored.revision?.reportType, target: revision.reportType) {
                case .apply:
                    keys[revision.keyData]?.revision = revision
                    revisedAt[revision.keyData] = at
                    revisionAssignment[revision.keyData] = nil
                    outcome.revised += 1
                case .unchanged: break
                case .reject(let reason): outcome.reject(revision, code: "revision-not-allowed", because: reason)
                }
            }
            let attempts = (files[file.url]?.attempts ?? 0) + 1
            files[file.url] = ImportFileRecord(
                url: file.url, status: .imported, attempts: attempts, lastError: nil,
                digest: file.digest, keysImported: outcome.inserted,
                refusedKeys: RefusedKeys.merged(file.refusedKeys + outcome.refusedRevisions), note: file.note,
                sourceVersion: file.sourceVersion)
            return outcome
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func importBatch(_ files: [FileImport], at: Date) async throws -> [ImportOutcome] {
        state.withLock { state in files.map { state.importFile($0, at: at) } }
    }

    public func reopenImportFile(url: String, reason: String, at: Date) async throws {
        state.withLock { state in
            guard let file = state.files[url], file.status == .imported else { return }
            state.files[url] = ImportFileRecord(
                url: url, status: .retrying, attempts: file.attempts, lastError: reason, digest: file.digest,
                keysImported: file.keysImported, refusedKeys: file.refusedKeys, note: file.note,
                sourceVersion: file.sourceVersion)
        }
    }

    public func recordProblem(url: String, status: ImportFileRecord.Status, reason: String, at: Date) async throws {
        state.withLock { state in
            // A file whose keys are stored stays imported.
            if state.files[url]?.status == .imported { return }
            let attempts = (state.files[url]?.attempts ?? 0) + 1
            state.files[url] = ImportFileRecord(
                url: url, status: status, attempts: attempts, lastError: reason,
                digest: nil, keysImported: 0)
        }
    }

    public func claimImportFiles(_ urls: [String], limit: Int, owner: String, until: Date, now: Date) async throws -> [String] {
        state.withLock { state in
            var claimed: [String] = []
            for url in urls where claimed.count < limit {
                if let status = state.files[url]?.status, status != .retrying { continue }
                if let claim = state.claims[url], claim.owner != owner, claim.until > now { continue }
                state.claims[url] = (owner, until)
                claimed.append(url)
            }
            return claimed
        }
    }

    public func importClaimOwners(now: Date) async throws -> Set<String> {
        state.withLock { Set($0.claims.values.filter { $0.until > now }.map(\.owner)) }
    }

    public func releaseImportClaims(owner: String) async throws {
        state.withLock { state in state.claims = state.claims.filter { $0.value.owner != owner } }
    }

    public func importFiles() async throws -> [ImportFileRecord] {
        state.withLock { $0.files.values.sorted { $0.url < $1.url } }
    }

    public func keyCount() async throws -> Int { state.withLock { $0.keys.count } }

    public func key(_ keyData: Data) async throws -> StoredKey? { state.withLock { $0.keys[keyData] } }

    public func assignNationalFiles(root: String, maxKeysPerFile: Int, cutoff: Date) async throws -> [NationalFileRecord] {
        state.withLock { state in
            let pending = state.keys.values.filter { state.assignment[$0.keyData] == nil && $0.createdAt <= cutoff }
                .sorted { $0.keyData.lexicographicallyPrecedes($1.keyData) }
            let pendingKeys = Set(pending.map(\.keyData))
            let revisions = state.pendingRevisions(cutoff: cutoff, alsoAssigning: pendingKeys)
            let times = pending.map(\.createdAt) + revisions.compactMap { state.revisedAt[$0] }
            guard let oldest = times.min(), let newest = times.max() else { return [] }
            let previousEnd = state.national.values.map(\.batchEnd).max()
            let files = NationalBatchLayout.files(
                root: root, previousEnd: previousEnd, oldest: oldest, newest: newest,
                count: pending.count, maxKeysPerFile: maxKeysPerFile, notAfter: cutoff, revisions: revisions.count)
            guard let last = files.last else { return [] }
            var offset = 0
            for file in files {
                state.national[file.name] = file
                for key in pending[offset..<offset + file.keyCount] { state.assignment[key.keyData] = file.name }
                offset += file.keyCount
            }
            for key in revisions { state.revisionAssignment[key] = last.name }
            return files
        }
    }

    public func unassignedKeyCount(cutoff: Date) async throws -> Int {
        state.withLock { state in
            state.keys.values.filter { state.assignment[$0.keyData] == nil && $0.createdAt <= cutoff }.count
                + state.pendingRevisions(cutoff: cutoff, alsoAssigning: []).count
        }
    }

    public func revisedKeys(inNationalFile name: String) async throws -> [StoredKey] {
        state.withLock { state in
            state.revisionAssignment.filter { $0.value == name }.compactMap { state.keys[$0.key] }
                .sorted { $0.keyData.lexicographicallyPrecedes($1.keyData) }
        }
    }

    public func nationalFiles() async throws -> [NationalFileRecord] {
        state.withLock { $0.national.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) } }
    }

    public func keys(inNationalFile name: String) async throws -> [StoredKey] {
        state.withLock { state in
            state.assignment.filter { $0.value == name }.compactMap { state.keys[$0.key] }
                .sorted { $0.keyData.lexicographicallyPrecedes($1.keyData) }
        }
    }

    public func markNationalFileWritten(name: String, digest: String) async throws {
        state.withLock { state in
            guard let file = state.national[name] else { return }
            state.national[name] = NationalFileRecord(
                name: file.name, batchStart: file.batchStart, batchEnd: file.batchEnd,
                number: file.number, fileCount: file.fileCount, keyCount: file.keyCount,
                digest: digest)
        }
    }
}
