import Foundation
import MigrationEngine

/// Renders engine events: one plain line each for people, or one JSON object per line.
struct EventPrinter: Sendable {
    let json: Bool

    func callAsFunction(_ event: MigrationEvent) {
        if json {
            let line = ["event": Self.name(event), "message": event.text]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(line) { print(String(decoding: data, as: UTF8.self)) }
        } else {
            print(event.text)
        }
    }

    func outcome(_ outcome: RunOutcome) {
        if json {
            print(#"{"event":"outcome","message":"\#(outcome.text.replacingOccurrences(of: "\"", with: "'"))"}"#)
        } else {
            print(outcome.text)
        }
    }

    static func name(_ event: MigrationEvent) -> String {
        String(describing: event).prefix { $0 != "(" }.description
    }
}
