/// No two folders enmigrate writes may overlap — be the same folder or one inside the other —
/// and none may overlap a feed enmigrate reads: one writer would replace the other's files and
/// `index.txt`, or what enmigrate reads. Two pairs overlap by design and are left alone: the
/// client mirror is the client feed's folder (the cut-over swaps the index phones read there),
/// and the national feed is read where the national export writes it. The second feed must
/// stay apart from the national feed even when the state writes it: the importer would take
/// the national feed for the state's.
///
/// Only folders in the same place are compared: local paths with local paths, URLs with URLs
/// of the same scheme, host and port.
struct OverlappingLocationsRule: PlanRule {
    private struct Overlap {
        let one: PlanPlace
        let other: PlanPlace

        func contains(_ place: PlanPlace) -> Bool { one.kind == place.kind || other.kind == place.kind }
        func partner(of place: PlanPlace) -> PlanPlace { one.kind == place.kind ? other : one }
    }

    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        let places = plan.places
        var overlaps: [Overlap] = []
        for (index, one) in places.enumerated() {
            for other in places[(index + 1)...] where Self.mustBeApart(one, other) && one.folder.relation(to: other.folder) != nil {
                overlaps.append(Overlap(one: one, other: other))
            }
        }
        for overlap in overlaps where !Self.isReportedThroughAWriter(overlap, among: overlaps) {
            report(overlap, context)
        }
    }

    /// Whether the two places may not overlap. Both read is the importer's business, except
    /// the second feed and the national feed.
    static func mustBeApart(_ one: PlanPlace, _ other: PlanPlace) -> Bool {
        let kinds: Set = [one.kind, other.kind]
        if kinds == [.clientMirror, .clientFeed] || kinds == [.nationalExport, .nationalFeed] { return false }
        if one.isWritten || other.isWritten { return true }
        return kinds == [.secondFeed, .nationalFeed]
    }

    /// A read feed inside a folder enmigrate writes (the client feed in the client mirror, the
    /// national feed in the national export) overlaps whatever overlaps that writer: folders on
    /// one path hold one another. That is one mistake, said once, by the writer's overlap.
    private static func isReportedThroughAWriter(_ overlap: Overlap, among overlaps: [Overlap]) -> Bool {
        [(overlap.one, overlap.other), (overlap.other, overlap.one)].contains { place, feed in
            !feed.isWritten
                && overlaps.contains { candidate in
                    guard candidate.contains(place), !candidate.contains(feed) else { return false }
                    let writer = candidate.partner(of: place)
                    return writer.isWritten && [.same, .inside].contains(feed.folder.relation(to: writer.folder))
                }
        }
    }

    /// Reports at the later of the two entries, naming the earlier one's line.
    private func report(_ overlap: Overlap, _ context: PlanRuleContext) {
        let lines = (context.reader.location(of: overlap.one.pointer), context.reader.location(of: overlap.other.pointer))
        let (earlier, later) =
            (lines.0.line, lines.0.column) <= (lines.1.line, lines.1.column)
            ? (overlap.one, overlap.other) : (overlap.other, overlap.one)
        guard let relation = later.folder.relation(to: earlier.folder) else { return }
        let (consequence, hint) = Self.explanation(later, earlier)
        context.report(
            later.pointer, "overlapping-locations",
            "`\(later.name)` (\(later.folder.display)) \(relation.phrase) `\(earlier.name)` "
                + "(\(earlier.folder.display), line \(context.reader.location(of: earlier.pointer).line)): \(consequence)",
            hint: hint)
    }

    /// Why the overlap is a problem, and what to change.
    private static func explanation(_ one: PlanPlace, _ other: PlanPlace) -> (String, String) {
        if Set([one.kind, other.kind]) == [.secondFeed, .nationalFeed] {
            return (
                "the importer would read the national feed as the state's",
                "give `state.secondFeed` a folder of its own, apart from the national feed"
            )
        }
        guard one.isWritten != other.isWritten else {
            return (
                "enmigrate writes both, so each would overwrite the other's files and index.txt",
                "give each folder enmigrate writes a `location` or `root` of its own, none inside another"
            )
        }
        let (writer, feed) = one.isWritten ? (one, other) : (other, one)
        return (
            "\(writerName(writer)) would write into \(feed.contents)",
            "move `\(writer.name)` to a folder of its own, apart from the feeds enmigrate reads"
        )
    }

    private static func writerName(_ place: PlanPlace) -> String {
        switch place.kind {
        case .secondFeed: "dual-export"
        case .clientMirror: "mirroring"
        default: place.contents
        }
    }
}
