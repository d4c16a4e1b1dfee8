import Foundation
import MigrationEngine
import Synchronization

/// Renders engine events: one plain line each for people, or one ``EventRecord`` (the
/// versioned JSON contract, `schemas/event.schema.json`) per line.
struct EventPrinter: Sendable {
    let json: Bool
    /// The plan's path as the operator gave it, put into the commands events suggest.
    let plan: String
    /// When the wait at each gate was last printed: once, then a reminder every 10 minutes.
    private let waits = WaitReminders(every: .seconds(600))
    /// The text output: a live progress line on a terminal, timestamped lines into a pipe.
    let text: ProgressRenderer

    init(json: Bool, plan: String = "PLAN", text: ProgressRenderer = ProgressRenderer()) {
        self.json = json
        self.plan = plan
        self.text = text
    }

    func callAsFunction(_ event: MigrationEvent) {
        var record = EventRecord(event, at: Date())
        var line = event.text
        if case .waitingForApproval(let gate) = event {
            guard let reminder = waits.due(gate.rawValue) else { return }
            // The engine does not know the plan's path; its command here names it.
            let command = "enmigrate approve \(plan) --gate \(gate.rawValue) --by NAME"
            line = (reminder ? "still " : "") + "waiting for approval: " + command
            (record.command, record.reminder, record.message) = (command, reminder, line)
        }
        // Scripts (--json) get every event; people get progress as one live line (a terminal)
        // or a line every few seconds (a pipe).
        if json { return print(Self.line(record)) }
        if case let .progress(worker, done, total, keys, detail) = event {
            return text.progress(worker: worker, done: done, total: total, keys: keys, detail: detail)
        }
        text.line(line, level: event.level)
    }

    func outcome(_ outcome: RunOutcome) {
        var record = EventRecord(type: "outcome", level: Self.level(outcome), message: outcome.text, at: Date())
        record.outcome = outcome.name
        record.exitCode = outcome.exitCode.rawValue
        if case .waitingForApproval(let gate) = outcome { record.gate = gate.rawValue }
        json ? print(Self.line(record)) : text.line(outcome.text, level: Self.level(outcome))
    }

    /// The approval `approve` recorded (an event of type `approved`).
    func approved(_ gate: Gate, by: String, note: String?, expires: Date) {
        let line = "approved \(gate.rawValue) by \(by), valid until \(expires.formatted(.iso8601))"
        var record = EventRecord(type: "approved", level: .info, message: line, at: Date())
        (record.gate, record.by, record.reason) = (gate.rawValue, by, note)
        json ? print(Self.line(record)) : text.line(line)
    }

    /// A line about how the command ends (`apply --scheduled`'s exit code).
    func note(_ line: String) {
        json ? print(Self.line(EventRecord(type: "note", level: .info, message: line, at: Date()))) : text.line(line)
    }

    static func level(_ outcome: RunOutcome) -> EventRecord.Level {
        switch outcome {
        case .failed, .blocked: .error
        default: .info
        }
    }

    /// One JSON object on one line, through the encoder: messages carry free text from checks
    /// and workers (quotes, backslashes, newlines), which must be escaped for a consumer reading
    /// JSON lines.
    static func line(_ record: EventRecord) -> String {
        record.jsonLine().map { jsonText(Data($0.utf8)) } ?? #"{"type":"encoding-failed","message":""}"#
    }
}

/// Which waits were printed when, so a wait of days prints one line and then a reminder at a
/// bounded rate, not a line per poll.
final class WaitReminders: Sendable {
    private let every: Duration
    private let printed = Mutex<[String: ContinuousClock.Instant]>([:])

    init(every: Duration) {
        self.every = every
    }

    /// Nil when the wait at `gate` was printed within `every`; else whether this is a reminder.
    func due(_ gate: String) -> Bool? {
        printed.withLock { printed in
            let now = ContinuousClock.now
            if let last = printed[gate], now - last < every { return nil }
            let reminder = printed[gate] != nil
            printed[gate] = now
            return reminder
        }
    }
}
