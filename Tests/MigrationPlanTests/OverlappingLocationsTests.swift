import Foundation
import Testing
@testable import MigrationPlan

/// One plan whose places overlap, and what the diagnostic must say about it.
struct OverlapCase: Sendable, CustomTestStringConvertible {
    let name: String
    let plan: PlacesPlan
    /// Where the diagnostic goes: the later of the two entries (section, key and JSON pointer).
    let at: (section: String, key: String, pointer: String)
    /// The earlier entry, whose line the message gives.
    let other: (section: String, key: String)
    /// How the message names the two places, later first.
    let names: (String, String)
    /// "is the same folder as", "is inside" or "contains".
    let relation: String

    var testDescription: String { name }
}

@Suite("No two writers, nor a writer and a feed enmigrate reads, share a folder")
struct OverlappingLocationsTests {
    static let refused: [OverlapCase] = [
        OverlapCase(
            name: "the national export is the client mirror",
            plan: PlacesPlan(
                mirror: ("file:///srv/state/cdn/", "exposureKeyExport-US-XX"),
                nationalIndex: "https://national.example/exposureKeyExport-US-XX/index.txt",
                export: ("file:///srv/state/cdn/", "exposureKeyExport-US-XX")),
            at: ("export", "location", "/national/export/location"), other: ("clientMirror", "location"),
            names: ("national.export", "state.clientMirror"), relation: "is the same folder as"),
        OverlapCase(
            name: "the national export is the client mirror that phones read (one error, not two)",
            plan: PlacesPlan(
                clientIndex: "file:///srv/state/cdn/exposureKeyExport-US-XX/index.txt",
                nationalIndex: "https://national.example/exposureKeyExport-US-XX/index.txt",
                export: ("file:///srv/state/cdn", "exposureKeyExport-US-XX")),
            at: ("export", "location", "/national/export/location"), other: ("clientMirror", "location"),
            names: ("national.export", "state.clientMirror"), relation: "is the same folder as"),
        OverlapCase(
            name: "the national export inside the client mirror",
            plan: PlacesPlan(
                nationalIndex: "https://national.example/national/index.txt",
                export: ("file:///srv/state/cdn/exposureKeyExport-US-XX/", "national")),
            at: ("export", "location", "/national/export/location"), other: ("clientMirror", "location"),
            names: ("national.export", "state.clientMirror"), relation: "is inside"),
        OverlapCase(
            name: "the national export around the client mirror",
            plan: PlacesPlan(nationalIndex: "https://national.example/cdn/index.txt", export: ("file:///srv/state/", "cdn")),
            at: ("export", "location", "/national/export/location"), other: ("clientMirror", "location"),
            names: ("national.export", "state.clientMirror"), relation: "contains"),
        OverlapCase(
            name: "the second feed is the client mirror through `..`, without a trailing slash",
            plan: PlacesPlan(secondFeed: ("file:///srv/state/to-national/../cdn", "exposureKeyExport-US-XX")),
            at: ("clientMirror", "location", "/state/clientMirror/location"), other: ("secondFeed", "location"),
            names: ("state.clientMirror", "state.secondFeed"), relation: "is the same folder as"),
        OverlapCase(
            name: "relative locations resolve against the plan folder before they are compared",
            plan: PlacesPlan(
                secondFeed: ("file:out/./cdn/exposureKeyExport-US-XX/", "second-feed"),
                mirror: ("file:out/x/../cdn/", "exposureKeyExport-US-XX")),
            at: ("clientMirror", "location", "/state/clientMirror/location"), other: ("secondFeed", "location"),
            names: ("state.clientMirror", "state.secondFeed"), relation: "contains"),
        OverlapCase(
            name: "the second feed from the state's key store inside the client mirror",
            plan: PlacesPlan(secondFeed: ("file:///srv/state/cdn/exposureKeyExport-US-XX/", "second"), source: "keyStore"),
            at: ("clientMirror", "location", "/state/clientMirror/location"), other: ("secondFeed", "location"),
            names: ("state.clientMirror", "state.secondFeed"), relation: "contains"),
        OverlapCase(
            name: "the client mirror over an external second feed",
            plan: PlacesPlan(source: "external", mirror: ("file:///srv/state/to-national/", "exposureKeyExport-US-XX")),
            at: ("clientMirror", "location", "/state/clientMirror/location"), other: ("secondFeed", "location"),
            names: ("state.clientMirror", "state.secondFeed"), relation: "is the same folder as"),
        OverlapCase(
            name: "the national export is the second feed, one with a trailing slash",
            plan: PlacesPlan(
                nationalIndex: "https://national.example/exposureKeyExport-US-XX/index.txt",
                export: ("file:///srv/state/to-national", "exposureKeyExport-US-XX")),
            at: ("export", "location", "/national/export/location"), other: ("secondFeed", "location"),
            names: ("national.export", "state.secondFeed"), relation: "is the same folder as"),
        OverlapCase(
            name: "the second feed is the client feed's folder",
            plan: PlacesPlan(
                clientIndex: "file:///srv/state/web/exposureKeyExport-US-XX/index.txt",
                secondFeed: ("file:///srv/state/web/", "exposureKeyExport-US-XX")),
            at: ("secondFeed", "location", "/state/secondFeed/location"), other: ("clientFeed", "index"),
            names: ("state.secondFeed", "state.clientFeed"), relation: "is the same folder as"),
        OverlapCase(
            name: "the national export around the client feed",
            plan: PlacesPlan(
                clientIndex: "file:///srv/state/web/US-XX/index.txt",
                nationalIndex: "https://national.example/web/index.txt", export: ("file:///srv/state/", "web")),
            at: ("export", "location", "/national/export/location"), other: ("clientFeed", "index"),
            names: ("national.export", "state.clientFeed"), relation: "contains"),
        OverlapCase(
            name: "the second feed inside the state's origin",
            plan: PlacesPlan(
                origin: "file:///srv/state/origin/exposureKeyExport-US-XX/index.txt",
                secondFeed: ("file:///srv/state/origin/exposureKeyExport-US-XX/", "second")),
            at: ("secondFeed", "location", "/state/secondFeed/location"), other: ("clientFeed", "origin"),
            names: ("state.secondFeed", "state.clientFeed.origin"), relation: "is inside"),
        OverlapCase(
            name: "the national export is the state's origin",
            plan: PlacesPlan(
                origin: "file:///srv/state/origin/US/index.txt",
                nationalIndex: "https://national.example/US/index.txt", export: ("file:///srv/state/origin/", "US")),
            at: ("export", "location", "/national/export/location"), other: ("clientFeed", "origin"),
            names: ("national.export", "state.clientFeed.origin"), relation: "is the same folder as"),
        OverlapCase(
            name: "the client mirror is the state's origin",
            plan: PlacesPlan(origin: "file:///srv/state/cdn/exposureKeyExport-US-XX/index.txt"),
            at: ("clientMirror", "location", "/state/clientMirror/location"), other: ("clientFeed", "origin"),
            names: ("state.clientMirror", "state.clientFeed.origin"), relation: "is the same folder as"),
        OverlapCase(
            name: "the second feed is the national feed's folder",
            plan: PlacesPlan(
                secondFeed: ("file:///srv/national/", "exposureKeyExport-US"),
                nationalIndex: "file:///srv/national/exposureKeyExport-US/index.txt"),
            at: ("feed", "index", "/national/feed/index"), other: ("secondFeed", "location"),
            names: ("national.feed", "state.secondFeed"), relation: "is the same folder as"),
        OverlapCase(
            name: "an external second feed is the national feed's folder, same host by another spelling",
            plan: PlacesPlan(secondFeed: ("https://NATIONAL.example:443/", "exposureKeyExport-US"), source: "external"),
            at: ("feed", "index", "/national/feed/index"), other: ("secondFeed", "location"),
            names: ("national.feed", "state.secondFeed"), relation: "is the same folder as"),
        OverlapCase(
            name: "the client mirror is the national feed's folder",
            plan: PlacesPlan(nationalIndex: "file:///srv/state/cdn/exposureKeyExport-US-XX/index.txt"),
            at: ("feed", "index", "/national/feed/index"), other: ("clientMirror", "location"),
            names: ("national.feed", "state.clientMirror"), relation: "is the same folder as"),
    ]

    @Test("each overlapping pair is refused once, at the later entry, naming both", arguments: refused)
    func refusedPair(_ overlap: OverlapCase) throws {
        let result = try PlanWorkspace().load(overlap.plan.text)
        #expect(result.plan == nil)
        #expect(result.errors.map(\.code) == ["overlapping-locations"], "\(result.errors)")
        let error = try #require(result.errors.first)
        #expect(error.line == overlap.plan.line(overlap.at.section, overlap.at.key))
        #expect(error.path == overlap.at.pointer)
        let otherLine = try #require(overlap.plan.line(overlap.other.section, overlap.other.key))
        #expect(error.message.hasPrefix("`\(overlap.names.0)` ("), "\(error.message)")
        #expect(error.message.contains(") \(overlap.relation) `\(overlap.names.1)` ("), "\(error.message)")
        #expect(error.message.contains("line \(otherLine))"), "\(error.message)")
        #expect(error.hint != nil)
    }

    @Test("an absolute location and a relative one naming the same folder overlap")
    func absoluteAndRelative() throws {
        let workspace = try PlanWorkspace()
        let folder = workspace.folder.standardizedFileURL.path
        let plan = PlacesPlan(secondFeed: ("file://\(folder)/out/cdn/", "exposureKeyExport-US-XX"), mirror: ("file:out/cdn", "exposureKeyExport-US-XX"))
        let result = try workspace.load(plan.text)
        #expect(result.errors.map(\.code) == ["overlapping-locations"], "\(result.errors)")
        #expect(result.errors.first?.message.contains("\(folder)/out/cdn/exposureKeyExport-US-XX") == true, "\(result.errors)")
    }

    @Test("every pair of three writers in one folder is named")
    func threeWriters() throws {
        let plan = PlacesPlan(
            secondFeed: ("file:///srv/state/cdn/", "exposureKeyExport-US-XX"),
            nationalIndex: "https://national.example/exposureKeyExport-US-XX/index.txt",
            export: ("file:///srv/state/cdn/", "exposureKeyExport-US-XX"))
        let result = try PlanWorkspace().load(plan.text)
        #expect(result.errors.map(\.code) == Array(repeating: "overlapping-locations", count: 3), "\(result.errors)")
    }

    @Test("the second feed in the national feed says why: the importer would mix them up")
    func secondFeedInNationalFeed() throws {
        let plan = PlacesPlan(
            secondFeed: ("file:///srv/national/exposureKeyExport-US/", "state"),
            nationalIndex: "file:///srv/national/exposureKeyExport-US/index.txt")
        let error = try #require(try PlanWorkspace().load(plan.text).errors.first)
        #expect(error.message.hasSuffix("the importer would read the national feed as the state's"), "\(error.message)")
        #expect(error.hint == "give `state.secondFeed` a folder of its own, apart from the national feed")
    }

    static let accepted: [(String, PlacesPlan)] = [
        ("every place apart", PlacesPlan()),
        (
            "the client mirror is the client feed's folder (that is how the swap works)",
            PlacesPlan(clientIndex: "file:///srv/state/cdn/exposureKeyExport-US-XX/index.txt")
        ),
        (
            "the national feed is read where the national export writes it",
            PlacesPlan(nationalIndex: "file:///srv/national/exposureKeyExport-US/index.txt", export: ("file:///srv/national/", "exposureKeyExport-US"))
        ),
        (
            "an external second feed beside the client feed it comes from (both only read)",
            PlacesPlan(secondFeed: ("https://cdn.state.example/", "exposureKeyExport-US-XX"), source: "external")
        ),
        (
            "the same path on another host",
            PlacesPlan(secondFeed: ("https://feeds.state.example/", "exposureKeyExport-US"), source: "external")
        ),
        (
            "the same path on another port",
            PlacesPlan(secondFeed: ("https://national.example:8443/", "exposureKeyExport-US"), source: "external")
        ),
        (
            "the same path in a file: URL and an https URL",
            PlacesPlan(clientIndex: "https://cdn.state.example/srv/state/to-national/exposureKeyExport-US-XX/index.txt")
        ),
        (
            "a sibling whose name starts with the other's",
            PlacesPlan(secondFeed: ("file:///srv/state/cdn/", "exposureKeyExport-US-XX2"))
        ),
    ]

    @Test("places the design shares, or that only look alike, are accepted", arguments: accepted)
    func acceptedPlan(_ name: String, _ plan: PlacesPlan) throws {
        let result = try PlanWorkspace().load(plan.text)
        #expect(result.errors.isEmpty, "\(name): \(result.errors)")
    }
}
