import Foundation
import MigrationEngine
import MigrationStores
import MigrationWorkers

/// The status report with what the stores know, as `status` shows it, and the page written from
/// it: by `status --html` once, and by `apply` after every pass when the plan names
/// `monitoring.statusPage` (refreshing itself in the browser, with the import lag's history).
struct StatusPageWriter {
    /// What the page and `status` show: the journal's report filled in from the stores, and the
    /// journal's records it was read from (read once); nil before a run started.
    struct Full {
        let report: RunStatusReport
        let stores: WorkerAssembly.StoreReport
        let records: [JournalRecord]
    }

    /// The journal's report filled in from the stores; nil before a run started.
    static func fullReport(context: EngineContext, journal: Journal, planPath: String, verifyChain: Bool) async throws -> Full? {
        let records = try journal.records()
        guard var report = try RunStatusReport.read(journal, plan: planPath, verifyChain: verifyChain, records: records) else { return nil }
        let stores = await context.workers().storeReport(planPath: planPath)
        report.failedFiles = stores.failedFiles
        report.workers = stores.progress
        report.refusedKeys = stores.refusedKeys
        report.warnings = stores.warnings
        // A check read afresh replaces the one the journal recorded at the last transition.
        report.checks = report.checks.filter { recorded in !stores.checks.contains { $0.name == recorded.name } } + stores.checks
        let request = URL(fileURLWithPath: context.plan.rotationRequest)
        if FileManager.default.fileExists(atPath: request.appendingPathComponent("REQUEST.md").path) { report.rotationRequest = request.path }
        return Full(report: report, stores: stores, records: records)
    }

    /// Writes the page for `report` to `page` (atomically). `history`, when given, adds the
    /// import lag chart; `refreshSeconds` makes the browser reload it.
    static func write(
        _ full: Full, context: EngineContext, to page: URL, history: StatusPageHistory? = nil, refreshSeconds: Int? = nil, now: Date = Date()
    ) throws {
        var extras = StatusPage.Extras(generatedAt: now, refreshSeconds: refreshSeconds)
        extras.keysPerDay = full.stores.keysPerDay
        extras.lagHistory = history?.points ?? []
        extras.approvals = full.records.filter { $0.kind == .approval }.compactMap(Orchestrator.approval)
        let html = try StatusPage.html(full.report, plan: context.plan.name, mode: context.definition.mode, extras: extras)
        try Data(html.utf8).write(to: page, options: .atomic)
    }

    /// `apply`'s refresh after a pass: the importer's backlog of the pass (when it reported one)
    /// joins the history beside the page, then the page is written. A page that cannot be
    /// written warns and never fails the run.
    static func refresh(
        context: EngineContext, journal: Journal, planPath: String, page: URL, backlog: (pending: Int, since: Date?)?, now: Date = Date()
    ) async {
        do {
            guard let full = try await fullReport(context: context, journal: journal, planPath: planPath, verifyChain: false) else { return }
            let historyURL = page.deletingPathExtension().appendingPathExtension("history.json")
            var history = StatusPageHistory.load(from: historyURL)
            if let backlog {
                history.append(.init(at: now, lagSeconds: backlog.since.map { max(0, now.timeIntervalSince($0)) } ?? 0, pendingFiles: backlog.pending))
                try history.save(to: historyURL)
            }
            // A minute, or the plan's interval when shorter: the page changes once a pass.
            let refresh = min(60, max(5, Int(context.plan.workers.interval.components.seconds)))
            try write(full, context: context, to: page, history: history, refreshSeconds: refresh, now: now)
        } catch {
            printError("warning: the status page \(page.path) was not written: \(error)")
        }
    }
}
