import ArgumentParser
import Foundation
import MigrationWorkers

/// `enmigrate verify PLAN [--json]`: the coverage proof on demand.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove coverage: every key phones get from the state's feed is in the feed they will read (or now read).",
        discussion: """
            Reads each feed the way a phone does (index, every file, verified with the key the phone holds, keys \
            decoded) and compares the key bytes. Before the cut-over: the state's client feed (state client key) \
            against the national feed (national key). After it: the state's key set saved before the swap against \
            <clientMirror.location>/<root>/index.txt read with the national key. Files that do not verify are \
            listed, not counted as missing. Exit 0 when every key is there, 3 when some are missing, 1 on errors.
            """
    )

    @Argument(help: "The plan file.")
    var plan: String

    @Flag(help: "Print one JSON document.")
    var json = false

    struct Output: Encodable {
        let compared: String
        let holds: Bool
        let report: CoverageReport
    }

    func run() async throws {
        try await EngineErrors.run {
            let context = try EngineContext.load(plan)
            let printer = EventPrinter(json: false)
            let workers = context.workers(events: { event in if !json { printer(event) } })
            let swapped = try MirrorState.load(from: workers.mirrorStateURL).publishedDigest != nil
            let report: CoverageReport
            let compared: String
            if swapped {
                report = try await workers.cutOverCoverageCheck().report()
                compared = "state keys saved before the cut-over vs the client index phones read now (national key)"
            } else {
                report = try await workers.coverageProver().prove()
                compared = "state client feed (state client key) vs national feed (national key)"
            }
            if json {
                try printJSON(Output(compared: compared, holds: report.holds, report: report))
            } else {
                print("compared: \(compared)")
                print("state:    \(report.state.keys) keys in \(report.state.files) files, sha256 \(report.state.digest)")
                print("national: \(report.national.keys) keys in \(report.national.files) files, sha256 \(report.national.digest)")
                for file in report.missingByFile { print("missing:  \(file.file): \(file.missing) keys") }
                for problem in report.state.failedFiles { print("not counted (state file does not verify): \(problem)") }
                for problem in report.national.failedFiles { print("national file does not verify: \(problem)") }
                let summary = swapped ? report.summary(comparedWith: CutOverCoverageCheck.target) : report.summary
                print(report.holds ? "coverage holds: \(summary)" : "coverage does not hold: \(summary)")
            }
            if !report.holds { throw EnmigrateExit.blocked }
        }
    }
}
