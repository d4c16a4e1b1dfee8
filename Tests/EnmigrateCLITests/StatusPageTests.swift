import Foundation
import Testing
@testable import EnmigrateCLI

/// The plan's `monitoring.statusPage`: a page apply keeps fresh, with charts people can read.
@Suite("The status page apply writes after every pass")
struct StatusPageTests {
    @Test(
        "apply writes the page after its pass: it refreshes itself and draws keys per day, phases, files and import lag; approve updates it with the approval")
    func refreshedEveryPass() throws {
        let folder = try PlanFolder.make()
        let url = folder.appendingPathComponent("plan.yaml")
        try (try String(contentsOf: url, encoding: .utf8) + "\nmonitoring:\n  statusPage: reports/status.html\n").write(
            to: url, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("reports"), withIntermediateDirectories: true)
        let page = folder.appendingPathComponent("reports/status.html")
        #expect(!FileManager.default.fileExists(atPath: page.path))

        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let waiting = try String(contentsOf: page, encoding: .utf8)
        #expect(waiting.contains(#"<meta http-equiv="refresh" content="60">"#))
        #expect(waiting.contains("<p class=\"generated\">generated 20"))
        for chart in ["keys-per-day", "timeline", "files"] { #expect(waiting.contains("<svg class=\"chart \(chart)\""), "\(chart)") }
        // The state's three days and the national feed that carries them, in their own colours.
        let keysChart = try #require(
            waiting.components(separatedBy: "<svg class=\"chart keys-per-day\"").dropFirst().first?.components(separatedBy: "</svg>").first)
        #expect(keysChart.components(separatedBy: "fill=\"\(StatusCharts.stateColour)\"><title>40</title>").count - 1 == 3, "\(keysChart)")
        #expect(keysChart.contains("fill=\"\(StatusCharts.nationalColour)\"><title>120</title>"), "\(keysChart)")
        #expect(waiting.contains("waiting at gate <b>key-rotation</b>"))
        // The importer's backlog of the pass is the import lag's first point.
        let history = StatusPageHistory.load(from: folder.appendingPathComponent("reports/status.history.json"))
        #expect(history.points.count == 1 && history.points.first?.pendingFiles == 0, "\(history)")

        #expect(try CommandRunner.run(["approve", "plan.yaml", "--gate", "key-rotation", "--by", "alice", "--note", "ticket 42"], in: folder).status == 0)
        let steady = try String(contentsOf: page, encoding: .utf8)
        #expect(
            steady.contains("<h2>Approvals</h2>") && steady.contains("<td>key-rotation</td><td>alice</td>") && steady.contains("<td>ticket 42</td>"),
            "\(steady)")
        #expect(steady.contains(#"<span class="phase current">mirroring</span>"#))
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 0)
        let again = StatusPageHistory.load(from: folder.appendingPathComponent("reports/status.history.json"))
        #expect(again.points.count == 2)
        #expect(try String(contentsOf: page, encoding: .utf8).contains("<svg class=\"chart import-lag\""))
    }

    static let chromium =
        ProcessInfo.processInfo.environment["ENMIGRATE_REQUIRE_CHROMIUM"] == "1"
        || (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/chromium")
        }

    @Test(
        "headless Chromium renders the page apply wrote, and the picture shows each chart in its colours",
        .enabled(if: chromium, "needs chromium (scripts/setup --tests installs it; the test command always runs this)"))
    func screenshot() async throws {
        let folder = try PlanFolder.make()
        let url = folder.appendingPathComponent("plan.yaml")
        try (try String(contentsOf: url, encoding: .utf8) + "\nmonitoring:\n  statusPage: status.html\n").write(to: url, atomically: true, encoding: .utf8)
        #expect(try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder).status == 4)
        let script = ReadmeMainCommandTests.root.appendingPathComponent("scripts/status-screenshot").path
        let shot = try await offPool {
            try CommandRunner.shell("'\(script)' --check '\(folder.path)/status.html' '\(folder.path)/status.png'", in: folder)
        }
        #expect(shot.status == 0, "\(shot.output)")
        #expect(shot.output.contains("chart colours in the picture: keys per day, state feed #8250df"), "\(shot.output)")
        // A page without charts fails the same check: it can tell.
        let bare = try String(contentsOf: folder.appendingPathComponent("status.html"), encoding: .utf8)
            .replacingOccurrences(of: StatusCharts.stateColour, with: "#000000")
        try bare.write(to: folder.appendingPathComponent("bare.html"), atomically: true, encoding: .utf8)
        let refused = try await offPool {
            try CommandRunner.shell("'\(script)' --check '\(folder.path)/bare.html' '\(folder.path)/bare.png'", in: folder)
        }
        #expect(refused.status != 0 && refused.output.contains("shows no chart drawn in keys per day, state feed"), "\(refused.output)")
    }

    @Test("the keys-per-day chart reads each second-feed file's batch day and each national batch's day")
    func keysPerDayFromNames() {
        #expect(KeysOnDay.batchStart(ofFileNamed: "exposureKeyExport-US-XX/1793491200-1793577600-00001.zip") == 1_793_491_200)
        #expect(KeysOnDay.batchStart(ofFileNamed: "exposureKeyExport-US-XX/index.txt") == nil)
    }
}
