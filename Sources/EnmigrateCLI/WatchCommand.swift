import ArgumentParser
import Foundation
import MigrationWorkers

/// `enmigrate watch PLAN [--json]`: what phones get from the client feed's public URL, now.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Read the feed phones download, over its public URL, the way phones read it, and say what they get.",
        discussion: """
            Fetches state.clientFeed.index (the URL phones use), every file it lists, and verifies each with the \
            key phones hold (the national key once the client index is swapped, the state's client key before). \
            The newest file's batch must end within two export periods and a day; over HTTP the index's \
            Cache-Control must not keep it for more than an hour, and files should be served as application/zip \
            with a Cache-Control. A long-running apply does the same on every steady pass after the cut-over \
            (the check phone-watch: metrics, the cdn-broken hook). Writes nothing. Exit 0 when phones get a \
            healthy feed, 3 when they do not, 1 on errors.
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        try await EngineErrors.run(json: json) {
            let context = try EngineContext.load(plan)
            let workers = context.workers()
            let report = try await workers.phoneWatch(key: workers.phoneKey()).look()
            if json {
                try printJSON(report)
            } else {
                print(report.healthy ? "healthy: \(report.summary)" : "UNHEALTHY: \(report.summary)")
                for finding in report.problems { print("  problem [\(finding.check)] " + (finding.file.map { "\($0): " } ?? "") + finding.problem) }
                for finding in report.warnings { print("  warning [\(finding.check)] " + (finding.file.map { "\($0): " } ?? "") + finding.problem) }
            }
            if !report.healthy { throw EnmigrateExit.blocked }
        }
    }
}
