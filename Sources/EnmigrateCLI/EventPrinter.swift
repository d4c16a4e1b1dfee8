import Foundation
import MigrationEngine

/// Renders engine events: one plain line each for people, or one JSON object per line.
struct EventPrinter: Sendable {
    let json: Bool

    func callAsFunction(_ event: MigrationEvent) {
        // People get about ten progress lines per pass; scripts (--json) get every one.
        if !json, case let .progress(_, done, total, _) = event, done != total, done % max(1, total / 10) != 0 { return }
        print(json ? Self.jsonLine(event: Self.name(event), message: event.text) : event.text)
    }

    func outcome(_ outcome: RunOutcome) {
        print(json ? Self.jsonLine(event: "outcome", message: outcome.text) : outcome.text)
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
