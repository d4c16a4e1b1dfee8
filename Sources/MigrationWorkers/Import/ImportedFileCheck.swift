import ExposureExport
import Foundation
import MigrationStoreContracts

/// Whether a verified second-feed file makes sense as a file of this state, judged on its
/// header before any key is imported. The reference importer checks none of this; a wrong
/// region or a reversed window there is stored without comment.
///
/// The decisions: a window that starts after it ends cannot come from a working export worker,
/// so the file is refused (failed for good, with the reason). A region that is not the plan's
/// `state.region` is refused too, naming both: its keys would be stored under the plan's region
/// and published as this state's. (A file without a region is accepted: nothing says it is
/// another region's.) A file that ends in the future beyond ``clockSkew`` is imported, because
/// phones accept it and its keys must reach the national feed, but it is kept with a warning
/// that `status` and the pass summary print: its keys are dated by their own rolling periods,
/// never by the file's dates, so the file's end alone holds no key back.
struct ImportedFileCheck: Sendable {
    /// The plan's `state.region`.
    let region: String
    /// How far in the future a file's end may lie before it is called a file from the future.
    let clockSkew: TimeInterval

    /// Why the file is refused, or nil.
    func refusal(_ contents: ExportFileContents) -> String? {
        if let start = contents.startTimestamp, let end = contents.endTimestamp, start > end {
            return "its window starts after it ends (start \(Self.date(start)), end \(Self.date(end))): refused, not imported"
        }
        if let fileRegion = contents.region, !fileRegion.isEmpty, fileRegion.caseInsensitiveCompare(region) != .orderedSame {
            return "its region is `\(fileRegion)`, not the plan's state.region `\(region)`: refused, not imported "
                + "(if the state's files really carry `\(fileRegion)`, set state.region to it)"
        }
        return nil
    }

    /// The warning kept with an imported file whose end lies in the future, saying what that
    /// means for its keys (`keys` as they will be stored), or nil.
    func futureNote(_ contents: ExportFileContents, keys: [StoredKey], now: Date) -> String? {
        guard let end = contents.endTimestamp, TimeInterval(end) > now.timeIntervalSince1970 + clockSkew else { return nil }
        let ahead = Duration.seconds(Int64(TimeInterval(end) - now.timeIntervalSince1970))
        let held = keys.filter { $0.createdAt > now }
        let heldText =
            held.isEmpty
            ? "none of its \(keys.count) keys is held back"
            : "\(held.count) of its \(keys.count) keys are still valid and held back until \(held.map(\.createdAt).max().map { $0.formatted(.iso8601) } ?? "?")"
        return "the file ends \(Self.date(end)), \(Self.text(ahead)) after this importer's clock (more than the "
            + "\(Self.text(.seconds(Int64(clockSkew)))) of clock skew allowed): imported, and its keys are dated by their own "
            + "rolling periods, never by the file's dates; \(heldText)"
    }

    static func date(_ seconds: UInt64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    /// "412d 3h", "2h 5m", "40s": enough to see how far off a clock or a file is.
    static func text(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return minutes > 0 ? "\(minutes)m" : "\(seconds)s"
    }
}
