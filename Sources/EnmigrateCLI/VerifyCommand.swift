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
            <clientMirror.location>/<root>/index.txt read with the national key (keys phones no longer match, \
            their rolling period over 14 days past, are not looked for). Files read whole that a phone rejects \
            are listed as left out; a listed file that could not be read makes the proof inconclusive; losses \
            accepted with `accept-loss` are listed. Exit 0 when the proof holds, 3 when keys are missing or the \
            proof is inconclusive, 1 on errors.
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Flag(help: "Print one JSON document.")
    var json = false

    struct Output: Encodable {
        let compared: String
        let holds: Bool
        /// holds, fails or inconclusive.
        let verdict: String
        let report: CoverageReport
        /// After the swap: what phones of each download algorithm fetched at it.
        let phoneDownloadsAtSwap: PhoneDownloadSimulation?
    }

    func run() async throws {
        try await EngineErrors.run(json: json) {
            let context = try EngineContext.load(plan)
            let printer = EventPrinter(json: false)
            let workers = context.workers(events: { event in if !json { printer(event) } })
            let mirrorState = try MirrorState.load(from: workers.mirrorState)
            let swapped = mirrorState.publishedDigest != nil
            let sealed = try CoverageSnapshot.proof(in: workers.coverageBaseline)?.sealedAt != nil
            let report: CoverageReport
            let compared: String
            if swapped {
                report = try await workers.cutOverCoverageCheck().report()
                compared = "state keys saved before the cut-over vs the client index phones read now (national key)"
            } else if sealed {
                // Sealed for a swap that has not been recorded: the client index may be either feed.
                let prover = try workers.coverageProver()
                report = CoverageReport.compare(
                    state: try CoverageSnapshot.read(from: workers.coverageBaseline),
                    national: try await prover.national.read(), accepted: try await workers.acceptedLosses())
                compared = "state keys sealed for the cut-over vs the national feed (national key)"
            } else {
                report = try await workers.coverageProver(saving: false).prove()
                compared = "state client feed (state client key) vs national feed (national key)"
            }
            if json {
                try printJSON(
                    Output(
                        compared: compared, holds: report.holds, verdict: report.verdict.rawValue, report: report,
                        phoneDownloadsAtSwap: swapped ? mirrorState.swapDownloads : nil))
            } else {
                print("compared: \(compared)")
                print("state:    \(report.state.keys) keys in \(report.state.files) files, sha256 \(report.state.digest)")
                print("national: \(report.national.keys) keys in \(report.national.files) files, sha256 \(report.national.digest)")
                for file in report.missingByFile {
                    print("missing:  \(file.file): \(file.missing) keys" + (file.malformed > 0 ? ", \(file.malformed) keys not 16 bytes" : ""))
                }
                for problem in report.state.unavailableFiles { print("UNREAD (state file could not be read; the proof cannot hold): \(problem)") }
                for problem in report.national.unavailableFiles { print("UNREAD (national file could not be read; the proof cannot hold): \(problem)") }
                for problem in report.state.rejectedFiles { print("LEFT OUT (state file fails a phone's verification): \(problem)") }
                for problem in report.national.rejectedFiles { print("national file does not verify: \(problem)") }
                for loss in report.accepted {
                    print("accepted: \(loss.file): " + (loss.unavailable ? "unreadable" : "\(loss.keys) keys") + " (by \(loss.by): \(loss.note))")
                }
                if swapped, let downloads = mirrorState.swapDownloads { print("at the swap: \(downloads.summary)") }
                let summary = swapped ? report.summary(comparedWith: CutOverCoverageCheck.target) : report.summary
                switch report.verdict {
                case .holds: print("coverage holds: \(summary)")
                case .fails: print("coverage does not hold: \(summary)")
                case .inconclusive: print("coverage is inconclusive: \(summary)")
                }
            }
            if !report.holds { throw EnmigrateExit.blocked }
        }
    }
}
