import Foundation
import MigrationEngine
import MigrationStores
import MigrationWorkers

extension WorkerAssembly {
    /// What `status` shows of the workers, read once from the stores without changing them
    /// (a store that does not exist yet is left out).
    struct StoreReport {
        /// How far each worker's work is.
        var progress: [RunStatusReport.WorkerProgress] = []
        /// Files the importer failed for good or waits to retry, and files dual-export quarantined.
        var failedFiles: [RunStatusReport.FileNeedingAttention] = []
        /// Keys the importer refused by rule, per file and reason.
        var refusedKeys: [RunStatusReport.RefusedKeysInFile] = []
        /// Files imported with a warning.
        var warnings: [String] = []
        /// Checks of the real systems read afresh for `status` (a reference server publishing the keys).
        var checks: [CheckResult] = []
        /// Keys each feed published a day, for the status page's chart.
        var keysPerDay: [KeysOnDay] = []
    }

    /// `planPath` is how the operator named the plan, for the commands the report suggests.
    func storeReport(planPath: String = "PLAN") async -> StoreReport {
        var report = StoreReport()
        if let ledger = try? publishLedger(readOnly: true), let entries = try? await ledger.entries() {
            let published = entries.count { $0.status == .published }, quarantined = entries.count { $0.status == .quarantined }
            let retrying = entries.count - published - quarantined
            report.progress.append(
                .init(
                    worker: "dual-export",
                    summary: "\(published) files re-signed into the second feed, \(quarantined) quarantined, \(retrying) to retry",
                    counts: ["reSigned": published, "quarantined": quarantined, "retrying": retrying]))
            report.failedFiles += entries.filter { $0.status != .published }.map {
                .init(file: $0.name, worker: "dual-export", status: $0.status == .quarantined ? .quarantined : .retrying, reason: $0.reason ?? "?")
            }
        }
        // Opened once; a store status cannot read as it is (an older enmigrate's) is named, never migrated here.
        let opened = existingNationalKeyStore()
        if case .failure(let error) = opened { report.warnings.append("national.keyStore: \(error)") }
        let nationalStore = try? opened?.get()
        if let store = nationalStore, let records = try? await store.importFiles(), !records.isEmpty {
            // The importer's problems come first, as they block leaving `importing`.
            report.failedFiles.insert(
                contentsOf: records.filter { $0.status != .imported }.map {
                    .init(file: $0.url, worker: "export-importer", status: $0.status == .failed ? .failed : .retrying, reason: $0.lastError ?? "?")
                }, at: 0)
            let imported = records.count { $0.status == .imported }, failed = records.count { $0.status == .failed }
            let keyCount = try? await store.keyCount()
            let keys = keyCount.map { "; \($0) keys in the national key store" } ?? ""
            let refused = records.flatMap(\.refusedKeys)
            var counts = ["imported": imported, "failed": failed, "retrying": records.count - imported - failed]
            counts["keys"] = keyCount
            counts["refusedKeys"] = refused.isEmpty ? nil : refused.reduce(0) { $0 + $1.count }
            report.progress.append(
                .init(
                    worker: "export-importer",
                    summary:
                        "\(imported) second-feed files imported, \(failed) failed for good, \(records.count - imported - failed) waiting for a retry\(keys)"
                        + (refused.isEmpty ? "" : "; \(RefusedKeysText.summary(refused))"), counts: counts))
            report.refusedKeys = await refusedKeysReport(records, planPath: planPath)
            let national = plan.national.export != nil ? (try? await store.nationalFiles()) ?? [] : []
            report.keysPerDay = KeysOnDay.chart(imported: records, national: national)
            report.warnings = records.compactMap { record in record.note.map { "\(record.url): \($0)" } }
            if plan.national.export != nil, let files = try? await store.nationalFiles() {
                let written = files.filter(\.isWritten)
                let keys = written.reduce(0) { $0 + $1.keyCount }
                report.progress.append(
                    .init(
                        worker: "national-export", summary: "\(written.count) national files written (\(keys) keys)",
                        counts: ["written": written.count, "keys": keys]))
            }
        }
        if let line = mirrorProgress() { report.progress.append(line) }
        // A reference server's table: whether it would publish the keys, read afresh.
        if let store = nationalStore {
            for check in referenceChecks(store) { report.checks.append(await check.evaluate()) }
        }
        return report
    }

    /// Each imported file's refused keys, with the state file they came from and, while keys
    /// phones may use are refused and the loss is not on the record, the `accept-loss` command.
    private func refusedKeysReport(_ records: [ImportFileRecord], planPath: String) async -> [RunStatusReport.RefusedKeysInFile] {
        let accepted = Dictionary(((try? await acceptedLosses()) ?? []).map { ($0.file, $0.by) }, uniquingKeysWith: { first, _ in first })
        return records.filter { !$0.refusedKeys.isEmpty }.map { record in
            let stateFile = stateClientEntry(forSecondFeedEntry: record.url)
            let acceptedBy = stateFile.flatMap { accepted[$0] }
            let losesKeys = record.refusedKeys.contains { RefusedKeysText.losesKeys($0.code) }
            return RunStatusReport.RefusedKeysInFile(
                file: record.url, stateFile: stateFile,
                reasons: record.refusedKeys.map { .init(code: $0.code, reason: $0.reason, count: $0.count) },
                lossAcceptedBy: acceptedBy,
                acceptLoss: losesKeys && acceptedBy == nil
                    ? "enmigrate accept-loss \(planPath) --file \(stateFile ?? record.url) --by NAME --note WHY" : nil)
        }
    }

    /// The client index entry a second-feed file was re-signed from: same name under the
    /// client feed's root (`source: clientFeed`); nil for other sources.
    private func stateClientEntry(forSecondFeedEntry entry: String) -> String? {
        guard plan.state.secondFeed.source == .clientFeed else { return nil }
        let clientRoot = plan.state.clientFeed.index.deletingLastPathComponent().lastPathComponent
        return clientRoot + "/" + (entry.split(separator: "/").last.map(String.init) ?? entry)
    }

    /// Staged, swapped or restored, from the mirror's state and the staged index.
    private func mirrorProgress() -> RunStatusReport.WorkerProgress? {
        let mirror = plan.state.clientMirror
        let staged = mirror.location.appendingPathComponent(mirror.root).appendingPathComponent("index.txt.staged")
        let stagedFiles = (try? String(contentsOf: staged, encoding: .utf8))?.split(separator: "\n").count
        if let state = try? MirrorState.load(from: mirrorState) {
            if let restored = state.restoredAt {
                return .init(worker: "mirror", summary: "the state's own client index was restored at \(restored.formatted(.iso8601))", counts: ["swapped": 0])
            }
            if let swapped = state.swappedAt {
                return .init(
                    worker: "mirror", summary: "the client index serves the national feed (\(stagedFiles ?? 0) files) since \(swapped.formatted(.iso8601))",
                    counts: ["staged": stagedFiles ?? 0, "swapped": 1])
            }
        }
        return stagedFiles.map {
            .init(
                worker: "mirror", summary: "\($0) national files staged in the client CDN; the client index is not swapped yet",
                counts: ["staged": $0, "swapped": 0])
        }
    }
}
