import Foundation
import MigrationStores
import MigrationWorkers

extension WorkerAssembly {
    /// Files failed for good that `requeue` put back: second-feed files the importer tries
    /// again, and client files dual-export verifies and re-signs again, on the next pass.
    struct Requeued {
        var imports: [String] = []
        var dualExport: [String] = []
        /// Names given that match no failed file.
        var unknown: [String] = []
    }

    /// Puts the named failed files (or, with `all`, every one) back in the queue, recording
    /// `reason` as their last error. A name is a second-feed entry or a dual-export file (by
    /// its published name or the client entry's file name), as `status` lists them.
    func requeue(_ names: [String], all: Bool, reason: String, at now: Date) async throws -> Requeued {
        var result = Requeued()
        var wanted = Set(names)
        let keyStore = try openKeyStore(plan.national.keyStore, role: "national.keyStore")
        for record in try await keyStore.importFiles() where record.status == .failed && (all || wanted.contains(record.url)) {
            try await keyStore.recordProblem(url: record.url, status: .retrying, reason: reason, at: now)
            result.imports.append(record.url)
            wanted.remove(record.url)
        }
        // A run that never re-signed a file has no SQLite ledger yet; requeue does not make one.
        let hasLedger: Bool = if case .sqlite = journal.kind { FileManager.default.fileExists(atPath: ledgerPath) } else { true }
        if hasLedger, let ledger = try publishLedger(readOnly: false) {
            for entry in try await ledger.entries() where entry.status == .quarantined {
                let base = entry.name.split(separator: "/").last.map(String.init) ?? entry.name
                let matches = wanted.filter { $0 == entry.name || $0.split(separator: "/").last.map(String.init) == base }
                guard all || !matches.isEmpty else { continue }
                // No source digest: the next pass reads, verifies and re-signs the file afresh.
                try await ledger.recordQuarantined(entry.name, sourceDigest: nil, reason: reason, permanent: false, at: now)
                result.dualExport.append(entry.name)
                wanted.subtract(matches)
            }
        }
        result.unknown = names.filter(wanted.contains)
        return result
    }
}
