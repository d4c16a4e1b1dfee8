import ArgumentParser
import Foundation
import MigrationRehearsal

/// `enmigrate rehearse PLAN [--faults SPEC] [--json]`: the operator's plan, end to end, on a
/// local simulation shaped like it, before anything real is touched.
struct RehearseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Rehearse a plan end to end on a local simulation shaped like it, optionally with injected faults.",
        discussion: """
            Generates keys and a simulated state for the rehearsal only (same regions, key ids and versions, \
            roots, mode, second-feed source, gates), serves the state's client feed over loopback HTTP, and \
            runs the unchanged `enmigrate apply` and `approve` as child processes until the run reaches the \
            plan's end; then judges it with `status` and the coverage proof of `enmigrate verify`. Gates are \
            approved by the rehearsal. Nothing outside the rehearsal folder is written, and of the operator's \
            files only the plan is read. Faults: kill (SIGKILL an apply at a random step; kill=N for N times), \
            restart (the PostgreSQL journal's server restarts in the middle of a pass, with --journal and --restart-command; restart=N), \
            downloads (503 answers until a pass's retries run out), tamper (a client file altered at rest: it \
            must be quarantined and none of its keys imported), late-approval (the key-rotation approval \
            comes passes late), unavailable (a client file answers 503 until the run blocks on it: the proof \
            must be inconclusive, never passed), refused-key (a RECURSIVE key the importer refuses: the run \
            blocks until the loss is accepted with accept-loss), revocation (the last day revokes a key: the \
            revocation must reach the national feed), republished (a file comes again under its name with more \
            keys: they must arrive), all. Exit 0 when the run reached its end and coverage \
            holds, 1 otherwise.
            """
    )

    @Argument(help: "The plan to rehearse.", completion: .file(extensions: ["yaml", "yml"]))
    var plan: String

    @Option(help: "Faults to inject: \(RehearsalFaults.grammar).")
    var faults = "none"

    @Option(help: "The rehearsal folder (default: .enmigrate/rehearsal beside the plan); an earlier rehearsal there is replaced.")
    var folder: String?

    @Option(help: "Days of keys the simulated state publishes.")
    var days = 14

    @Option(name: .customLong("keys-per-day"), help: "Keys the simulated state publishes a day.")
    var keysPerDay = 3000

    @Option(help: "Seed for the keys and the faults' files and moments (default: random, printed).")
    var seed: UInt64?

    @Flag(
        name: .customLong("keep-buckets"),
        help: "Keep the plan's s3:// and gs:// second and national feeds, on the loopback emulators its buckets: names, instead of folders.")
    var keepBuckets = false

    @Option(help: "A PostgreSQL journal for the rehearsal (postgres://…?schema=NEW) instead of the folder's SQLite file.")
    var journal: String?

    @Option(help: "apply processes started together for every pass, racing for the journal's lease as replicas do (needs a PostgreSQL --journal).")
    var replicas = 1

    @Option(
        name: .customLong("restart-command"),
        help: "The shell command that restarts the journal's PostgreSQL server, for the restart fault.")
    var restartCommand: String?

    @Flag(help: "Print the rehearsal report as JSON (progress goes to stderr).")
    var json = false

    func validate() throws {
        guard (2...60).contains(days) else { throw ValidationError("--days must be 2 to 60") }
        guard (1...200_000).contains(keysPerDay) else { throw ValidationError("--keys-per-day must be 1 to 200000") }
    }

    func run() async throws {
        let planURL = URL(fileURLWithPath: plan).standardizedFileURL
        do {
            var options = Rehearsal.Options(
                folder: folder.map { URL(fileURLWithPath: $0) }
                    ?? planURL.deletingLastPathComponent().appendingPathComponent(".enmigrate/rehearsal"),
                executable: Self.ownExecutable)
            options.faults = try RehearsalFaults.parse(faults)
            options.faultSpec = faults
            options.days = days
            options.keysPerDay = keysPerDay
            options.keepBuckets = keepBuckets
            options.journal = journal
            options.replicas = replicas
            options.restartCommand = restartCommand
            options.seed = seed ?? UInt64.random(in: 1...999_999)
            let json = json
            let report = try await Rehearsal(plan: planURL, options: options) { line in
                if json { printError("rehearse: " + line) } else { print("rehearse: " + line) }
            }.run()
            if json {
                try printJSON(report)
            } else {
                RehearsalSummary(report: report).lines.forEach { print($0) }
            }
            if !report.succeeded { throw EnmigrateExit.error }
        } catch let error as RehearsalError {
            printError("error: \(error)")
            throw EnmigrateExit.error
        }
    }

    /// This binary, so the rehearsal runs the very `apply` the operator will.
    static var ownExecutable: URL {
        let procSelf = URL(fileURLWithPath: "/proc/self/exe")
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: procSelf.path) {
            return URL(fileURLWithPath: resolved)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }
}
