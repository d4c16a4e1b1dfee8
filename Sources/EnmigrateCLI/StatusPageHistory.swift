import Foundation

/// What the status page remembers between passes to draw the import lag over time: one point a
/// pass that reported the importer's backlog, the newest 1,000 kept, in `<page>.history.json`
/// beside the page. Presentation only: losing it loses the chart's past, never run state.
struct StatusPageHistory: Codable, Equatable {
    struct Point: Codable, Equatable {
        let at: Date
        /// Seconds the oldest second-feed file not yet imported has waited (0 when none waits).
        let lagSeconds: Double
        let pendingFiles: Int
    }

    static let kept = 1_000
    var points: [Point] = []

    /// The history kept at `url`; empty when there is none or it cannot be read.
    static func load(from url: URL) -> StatusPageHistory {
        guard let data = try? Data(contentsOf: url) else { return StatusPageHistory() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(StatusPageHistory.self, from: data)) ?? StatusPageHistory()
    }

    mutating func append(_ point: Point) {
        points.append(point)
        if points.count > Self.kept { points.removeFirst(points.count - Self.kept) }
    }

    func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}
