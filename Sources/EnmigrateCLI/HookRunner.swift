import Foundation
import MigrationEngine
import MigrationPlan
import MigrationStores
import Synchronization

/// Runs the plan's hooks (`hooks:`) for the events of a run: each gets the event as one JSON
/// object (``EventRecord`` with `hook` and `migration`), a command on its standard input, a
/// webhook as a POST. Notifying hooks never holds the run up and a failing one only warns;
/// `before-cut-over` hooks are different: they run to the end before the swap, and the swap
/// happens only when every one of them succeeded.
final class HookRunner: Sendable {
    let hooks: [Hook]
    let migration: String
    /// Where a hook that failed is reported (standard error: never the `--json` stream).
    private let warn: @Sendable (String) -> Void
    private let running = Mutex<[UUID: Task<Void, Never>]>([:])
    /// Each hook's newest delivery: the next one for that hook starts after it, so a hook gets
    /// its events one at a time, in the order they happened (a script appending to a log, a
    /// pager told `gate-waiting` and then `approved`), while different hooks run side by side.
    private let newest = Mutex<[Int: Task<Void, Never>]>([:])
    /// The wait at each gate is told once, then again at the printer's reminder rate.
    private let waits = WaitReminders(every: .seconds(600))
    /// Whether the import is stalled now: `progress-stalled` is told when it starts being.
    private let stalled = Mutex(false)
    /// How long the oldest second-feed file may wait before the import counts as stalled: the
    /// example alert's threshold (`EnmigrateImportLagging`, deploy/alerts.yaml).
    static let stallAfter: TimeInterval = 2 * 3600

    init(hooks: [Hook], migration: String, warn: @escaping @Sendable (String) -> Void = { printError($0) }) {
        self.hooks = hooks
        self.migration = migration
        self.warn = warn
    }

    /// The hook event an engine event is, if any.
    func hookEvent(for event: MigrationEvent) -> Hook.Event? {
        switch event {
        case .waitingForApproval(let gate): waits.due(gate.rawValue) == nil ? nil : .gateWaiting
        case .approvalUsed: .approved
        case .phaseEntered(.mirroring): .cutOverDone
        case .fileProblem(_, _, _, let permanent): permanent ? .fileQuarantined : nil
        case .stepFailed: .stepFailed
        case .blocked: .blocked
        case .check(let result) where result.name == "phone-watch": result.outcome == .passed ? nil : .cdnBroken
        case .check(let result): result.name.contains("coverage") && (result.outcome == .failed || result.outcome == .inconclusive) ? .coverageNotHolding : nil
        case let .backlog(worker, pending, since) where worker == "export-importer":
            stallStarted(pending > 0 && since.map { Date().timeIntervalSince($0) >= Self.stallAfter } == true) ? .progressStalled : nil
        default: nil
        }
    }

    /// Records whether the import is stalled; true only when a stall starts.
    private func stallStarted(_ now: Bool) -> Bool {
        stalled.withLock { was in
            defer { was = now }
            return now && !was
        }
    }

    /// Starts the hooks that want `event`, in the background.
    func notify(_ event: MigrationEvent) {
        guard !hooks.isEmpty, let name = hookEvent(for: event) else { return }
        let record = EventRecord(event, at: Date())
        for (position, hook) in hooks.enumerated() where hook.on.contains(name) {
            let id = UUID()
            // Registered before it can finish (its own removal waits for this lock), so a hook
            // that ends at once leaves nothing behind in a process that runs for months.
            running.withLock { running in
                newest.withLock { newest in
                    let previous = newest[position]
                    let task = Task { [self] in
                        await previous?.value
                        do { try await run(hook, event: name, record: record) } catch { warn("hook \(name.rawValue) failed: \(error)") }
                        _ = self.running.withLock { $0.removeValue(forKey: id) }
                    }
                    newest[position] = task
                    running[id] = task
                }
            }
        }
    }

    /// Waits for the hooks still running (each is bounded by its own timeout), so a command
    /// that ends right after an event does not cut its hooks off.
    func drain() async {
        while let (id, task) = running.withLock({ $0.first }) {
            await task.value
            _ = running.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// Runs every `before-cut-over` hook, one after another; throws when one fails (and the
    /// swap must not happen).
    func beforeCutOver() async throws {
        var record = EventRecord(type: "note", level: .info, message: "the client index is about to be swapped to the national feed", at: Date())
        record.phase = MigrationPhase.keyRotation.rawValue
        for hook in hooks where hook.on.contains(.beforeCutOver) {
            try await run(hook, event: .beforeCutOver, record: record)
        }
    }

    /// Runs one hook with the event's body.
    func run(_ hook: Hook, event: Hook.Event, record: EventRecord) async throws {
        var body = record
        (body.hook, body.migration) = (event.rawValue, migration)
        let data = Data((body.jsonLine() ?? "{}").utf8)
        switch hook.action {
        case .webhook(let url):
            try await WebhookPost.send(data, to: url, timeout: hook.timeout)
        case .command(let words):
            try await HookCommand(words: words, timeout: hook.timeout).run(
                stdin: data, environment: ["ENMIGRATE_HOOK": event.rawValue, "ENMIGRATE_MIGRATION": migration])
        }
    }
}
