import Foundation

extension Orchestrator {
    /// Runs the phase's workers in order. A worker with a done record since the phase began is
    /// skipped; one with an intent and no done record (a crash) is asked whether its work is
    /// done before it runs again. Returns the failure reason, or nil on success.
    func runStep(_ phase: MigrationPhase, machine: RunStateMachine, fence: Int64) async throws -> String? {
        let history = try stepHistory(since: phase)
        for worker in registry.steps[phase] ?? [] {
            if history.done.contains(worker.name) { continue }
            if history.intended.contains(worker.name) {
                let alreadyDone = try await worker.isDone()
                events(.recovered(phase: phase, worker: worker.name, alreadyDone: alreadyDone))
                if alreadyDone {
                    let detail = (await worker.journalDetail()).merging(["worker": worker.name, "recovered": "true"]) { _, ours in ours }
                    try journal.append(.stepDone, machine: machine, detail: detail, fence: fence, at: environment.now())
                    continue
                }
            }
            if let failure = try await attempt(worker, phase: phase, machine: machine, fence: fence) { return failure }
        }
        return nil
    }

    /// Intent → apply (with timeout) → verify → done, retried with exponential backoff.
    private func attempt(
        _ worker: any MigrationWorker, phase: MigrationPhase, machine: RunStateMachine,
        fence: Int64
    ) async throws -> String? {
        for attempt in 1...max(definition.attempts, 1) {
            try journal.append(
                .stepIntent, machine: machine, attempt: attempt, detail: ["worker": worker.name],
                fence: fence, at: environment.now())
            events(.stepStarted(phase: phase, worker: worker.name, attempt: attempt))
            do {
                try await withTimeout(definition.stepTimeout) {
                    try await worker.apply()
                    try await worker.verify()
                }
                let detail = (await worker.journalDetail()).merging(["worker": worker.name]) { _, name in name }
                try journal.append(.stepDone, machine: machine, attempt: attempt, detail: detail, fence: fence, at: environment.now())
                events(.stepSucceeded(phase: phase, worker: worker.name))
                return nil
            } catch let error as JournalError {
                throw error
            } catch is CancellationError {
                // Interrupted (SIGINT/SIGTERM): the intent stays without a done record, so the
                // next run asks the worker whether its work finished.
                throw CancellationError()
            } catch {
                let reason = "\(error)"
                guard attempt < definition.attempts else {
                    events(.stepFailed(phase: phase, worker: worker.name, reason: reason))
                    return "\(worker.name): \(reason)"
                }
                let wait = definition.wait(afterAttempt: attempt)
                events(
                    .stepRetrying(
                        phase: phase, worker: worker.name, attempt: attempt, reason: reason,
                        waitMilliseconds: wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000))
                try await environment.sleep(wait)
            }
        }
        return nil
    }

    /// Which workers of `phase` have intent and done records since the phase was last entered.
    func stepHistory(since phase: MigrationPhase) throws -> (intended: Set<String>, done: Set<String>) {
        let records = try journal.records()
        let start = records.lastIndex { $0.kind == .phaseEntered && $0.phase == phase } ?? records.startIndex
        var intended = Set<String>()
        var done = Set<String>()
        for record in records[start...] where record.phase == phase {
            guard let worker = CheckRecord.value(record.detail, "worker") else { continue }
            switch record.kind {
            case .stepIntent: intended.insert(worker)
            case .stepDone: done.insert(worker)
            default: break
            }
        }
        return (intended.subtracting(done), done)
    }

    private func withTimeout(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let finished = try await group.next() ?? false
            group.cancelAll()
            if !finished { throw StepTimeout(limit: limit) }
        }
    }
}

/// A step attempt that ran past the plan's `workers.stepTimeout`.
struct StepTimeout: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "timed out after \(limit)" }
}
