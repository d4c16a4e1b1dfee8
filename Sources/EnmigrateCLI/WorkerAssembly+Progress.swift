import Foundation
import MigrationStores
import MigrationWorkers

extension WorkerAssembly {
    /// How far each worker's work is, one line each, read from the stores without changing
    /// them (a store that does not exist yet is left out): what `status` and its page show.
    func progress() async -> [String] {
        var lines: [String] = []
        if FileManager.default.fileExists(atPath: ledgerPath), let ledger = try? SQLitePublishLedger(path: ledgerPath),
           let entries = try? await ledger.entries() {
            let published = entries.count { $0.status == .published }, quarantined = entries.count { $0.status == .quarantined }
            lines.append("dual-export: \(published) files re-signed into the second feed, \(quarantined) quarantined, \(entries.count - published - quarantined) to retry")
        }
        if let store = existingNationalKeyStore(), let records = try? await store.importFiles(), !records.isEmpty,
           let keys = try? await store.keyCount() {
            let imported = records.count { $0.status == .imported }, failed = records.count { $0.status == .failed }
            lines.append("export-importer: \(imported) second-feed files imported, \(failed) failed for good, \(records.count - imported - failed) waiting for a retry; \(keys) keys in the national key store")
            if plan.national.export != nil, let files = try? await store.nationalFiles() {
                let written = files.filter(\.isWritten)
                lines.append("national-export: \(written.count) national files written (\(written.reduce(0) { $0 + $1.keyCount }) keys)")
            }
        }
        let mirror = plan.state.clientMirror
        let staged = mirror.location.appendingPathComponent(mirror.root).appendingPathComponent("index.txt.staged")
        let stagedFiles = (try? String(contentsOf: staged, encoding: .utf8))?.split(separator: "\n").count
        if FileManager.default.fileExists(atPath: mirrorStateURL.path), let state = try? MirrorState.load(from: mirrorStateURL) {
            if let restored = state.restoredAt {
                lines.append("mirror: the state's own client index was restored at \(restored.formatted(.iso8601))")
            } else if let swapped = state.swappedAt {
                lines.append("mirror: the client index serves the national feed (\(stagedFiles ?? 0) files) since \(swapped.formatted(.iso8601))")
            }
        } else if let stagedFiles {
            lines.append("mirror: \(stagedFiles) national files staged in the client CDN; the client index is not swapped yet")
        }
        return lines
    }
}
