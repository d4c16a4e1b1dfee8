import Foundation
import MigrationStores

/// Keys the state's feed and the national feed published on one UTC day: the status page's
/// "keys per day" chart. The state's day is the batch start in a second-feed file's name
/// (`START-END-NNNNN.zip`, as the reference server names files), the national day a national
/// batch's start; the national feed publishes a backlog on the day it was imported.
struct KeysOnDay: Equatable {
    let day: Date
    var state: Int
    var national: Int

    /// The days of `imported` (imported second-feed files) and `national` (national files written),
    /// oldest first; files whose name carries no batch start are left out.
    static func chart(imported: [ImportFileRecord], national: [NationalFileRecord]) -> [KeysOnDay] {
        var days: [Int64: KeysOnDay] = [:]
        func add(_ start: Int64, state: Int, national: Int) {
            let day = start / 86_400 * 86_400
            var counts = days[day] ?? KeysOnDay(day: Date(timeIntervalSince1970: TimeInterval(day)), state: 0, national: 0)
            counts.state += state
            counts.national += national
            days[day] = counts
        }
        for record in imported where record.status == .imported {
            if let start = batchStart(ofFileNamed: record.url) { add(start, state: record.keysImported, national: 0) }
        }
        for file in national where file.isWritten { add(file.batchStart, state: 0, national: file.keyCount) }
        return days.values.sorted { $0.day < $1.day }
    }

    /// The batch start of `START-END-NNNNN.zip`, or nil.
    static func batchStart(ofFileNamed name: String) -> Int64? {
        let base = name.split(separator: "/").last ?? Substring(name)
        let parts = base.split(separator: "-")
        guard parts.count == 3, let start = Int64(parts[0]), Int64(parts[1]) != nil else { return nil }
        return start
    }
}
