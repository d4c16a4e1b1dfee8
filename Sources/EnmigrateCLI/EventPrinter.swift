import Foundation
import MigrationEngine
import Synchronization

/// Renders engine events: one plain line each for people, or one JSON object per line.
struct EventPrinter: Sendable {
    let json: Bool
    /// The plan's path as the operator gave it, put into the commands events suggest.
    let plan: String
    /// When the wait at each gate was last printed: once, then a reminder every 10 minutes.
    private let waits = WaitReminders(every: .seconds(600))

    init(json: Bool, plan: String = "PLAN") {
        self.json = json
        self.plan = plan
    }

    func callAsFunction(_ event: MigrationEvent) {
        // People get about ten progress lines per pass; scripts (--json) get every one.
        if !json, case let .progress(_, done, total, _) = event, done != total, done % max(1, total / 10) != 0 { return }
        var text = event.text
        if case .waitingForApproval(let gate) = event {
            guard let reminder = waits.due(gate.rawValue) else { return }
            // The engine does not know the plan's path; its command here names it.
            text = (reminder ? "still " : "") + "waiting for approval: enmigrate approve \(plan) --gate \(gate.rawValue) --by NAME"
        }
        print(json ? Self.jsonLine(event: Self.name(event), message: text) : text)
    }

    func outcome(_ outcome: RunOutcome) {
        print(json ? Self.jsonLine(event: "outcome", message: outcome.text) : outcome.text)
    }

    /// A line about how the command ends (`apply --scheduled`'s exit code).
    func note(_ text: String) {
        print(json ? Self.jsonLine(event: "note", message: text) : text)
    }

    static func name(_ event: MigrationEvent) -> String {
        String(describing: event).prefix { $0 != "(" }.description
    }

    /// One JSON object on one line. Goes through the encoder for every line (events and the
    /// outcome alike) because messages carry free text from checks and workers: quotes,
    /// backslashes and newlines must be escaped, or a consumer reading JSON lines breaks.
    static func jsonLine(event: String, message: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a [String: String] cannot fail; the fallback keeps the line valid JSON anyway.
        guard let data = try? encoder.encode(["event": event, "message": message]) else {
            return #"{"event":"encoding-failed","message":""}"#
        }
        return jsonText(data)
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
