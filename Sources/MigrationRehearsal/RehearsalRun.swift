import ExposureExport
import Foundation
import LoopbackFeedServer
import MigrationStores

/// One rehearsal from the first published day to the judged end state: publishes the
/// simulated state's days, injects the faults, runs `apply`/`approve` child processes until the
/// run reaches the plan's end, then reads `status` and `verify`.
struct RehearsalRun {
    let shape: RehearsalShape
    let layout: RehearsalLayout
    let options: Rehearsal.Options
    let server: LoopbackFeedServer
    let planName: String
    let simulation: StateSimulation
    let progress: @Sendable (String) -> Void

    /// Passes the run waits at the key-rotation gate before a late approval arrives.
    static let lateApprovalPasses = 3

    private struct Progress {
        /// Keys come from one generator and fault choices from another, so a rehearsal with
        /// faults publishes exactly the keys of one without (same seed).
        var keyGenerator: SeededGenerator
        var faultGenerator: SeededGenerator
        var report: RehearsalReport
        var published: [StateSimulation.PublishedFile] = []
        var killsLeft: Int
        var lastDayPublished = false
        var lateWaitsLeft: Int
        var pendingRecovery: Int?
        var tampered: StateSimulation.PublishedFile?
        var failingFiles: [String] = []
        /// The `unavailable` fault's file while the CDN still refuses it.
        var unavailable: (file: String, fault: Int)?
        /// The `refused-key` fault's file until its loss is accepted.
        var refused: (file: String, fault: Int)?
        /// The key the last day revokes.
        var revoked: Data?
        /// The file republished with more keys, once it is.
        var republished: StateSimulation.PublishedFile?
    }

    func run() async throws -> RehearsalReport {
        var state = Progress(
            keyGenerator: SeededGenerator(seed: options.seed),
            faultGenerator: SeededGenerator(seed: options.seed ^ 0x5EED_FA17),
            report: RehearsalReport(
                plan: planName, folder: layout.folder.path, seed: options.seed, faultSpec: options.faultSpec,
                adjustments: shape.adjustments, days: options.days, keysPerDay: options.keysPerDay),
            killsLeft: options.faults.kills,
            lateWaitsLeft: options.faults.lateApproval ? Self.lateApprovalPasses : 0)
        for day in 0..<(options.days - 1) {
            // The refused key rides in the first day, so the run meets it before the gate.
            let refused = day == 0 && options.faults.refusedKey ? [StateSimulation.recursiveKey(startingBefore: simulation.firstDayStart)] : []
            let revocable = day == 0 && options.faults.revocation ? [StateSimulation.revocableKey(startingBefore: simulation.firstDayStart)] : []
            let files = try await simulation.publish(day: day, using: &state.keyGenerator, extraKeys: refused + revocable)
            state.published += files
            if let key = refused.first, let file = files.first(where: { $0.keys.contains(key.keyData) }) {
                state.report.faults.append(
                    .init(
                        fault: "refused-key", injected: "\(file.name) carries a key of report type RECURSIVE, which the importer refuses", recovery: ""))
                state.refused = (file.name, state.report.faults.count - 1)
                progress("fault: \(file.name) carries a RECURSIVE key")
            }
        }
        progress(
            "published \(options.days - 1) days: \(state.published.count) client files, \(state.published.reduce(0) { $0 + $1.keys.count }) keys (day \(options.days) follows while the run waits for the key-rotation approval)"
        )
        try injectFileFaults(&state)
        try await drive(&state)
        if state.killsLeft > 0 {
            state.report.faults.append(
                .init(
                    fault: "kill", injected: "\(state.killsLeft) kill(s) not injected: the run reached its end before the chosen moments",
                    recovery: "nothing to recover"))
        }
        state.report.clientFiles = state.published.count
        state.report.keysPublished = state.published.reduce(0) { $0 + $1.keys.count }
        try await judge(
            &state.report, tampered: state.tampered, failingFiles: state.failingFiles, revoked: state.revoked,
            republished: state.republished,
            refusedKey: options.faults.refusedKey ? StateSimulation.recursiveKey(startingBefore: 0).keyData : nil)
        return state.report
    }

    // MARK: Faults on files

    private func injectFileFaults(_ state: inout Progress) throws {
        var candidates = state.published.shuffled(using: &state.faultGenerator)
        if options.faults.tamperedFile, let file = candidates.popLast() {
            // Altered where the state publishes it: in the CDN and, when the plan has one, the
            // origin the state's export writes to after the cut-over.
            let offset = try Data(contentsOf: layout.cdn.appendingPathComponent(file.name)).count / 2
            for folder in shape.hasOrigin ? [layout.cdn, layout.origin] : [layout.cdn] {
                let url = folder.appendingPathComponent(file.name)
                var data = try Data(contentsOf: url)
                data[offset] ^= 0xFF
                try data.write(to: url)
            }
            state.tampered = file
            state.report.faults.append(
                .init(
                    fault: "tamper", injected: "\(file.name) (\(file.keys.count) keys): byte \(offset) flipped at rest in the state's CDN",
                    recovery: ""))
            progress("fault: tampered with \(file.name)")
        }
        if options.faults.unavailableFile, let file = candidates.popLast() {
            server.inject(.status(503), for: "cdn/\(file.name)", times: nil)
            state.report.faults.append(
                .init(
                    fault: "unavailable", injected: "\(file.name) (\(file.keys.count) keys) answers 503 to every request until the run blocks on it",
                    recovery: ""))
            state.unavailable = (file.name, state.report.faults.count - 1)
            progress("fault: \(file.name) is unavailable at the state's CDN")
        }
        if options.faults.failingDownloads, candidates.count >= 2 {
            let attempts = shape.workers.retry.attempts
            let exhausted = candidates.removeLast().name, retried = candidates.removeLast().name
            server.inject(.status(503), for: "cdn/\(exhausted)", times: attempts)
            server.inject(.status(503), for: "cdn/\(retried)", times: 1)
            server.inject(.status(503), for: "cdn/\(shape.clientRoot)/index.txt", times: 1)
            state.failingFiles = [exhausted, retried]
            state.report.faults.append(
                .init(
                    fault: "downloads",
                    injected:
                        "the client index answers 503 once; \(exhausted) answers 503 to its first \(attempts) requests (every retry of a pass); \(retried) answers 503 once",
                    recovery: ""))
            progress("fault: failing downloads for the client index, \(exhausted) and \(retried)")
        }
    }

    // MARK: Driving the run

    private func drive(_ state: inout Progress) async throws {
        let child = ChildRun(executable: options.executable, folder: layout.folder)
        var command = ["apply", "plan.yaml", "--once"]
        var consecutiveTroubles = 0
        // Kills are spread at random over the passes a run of this mode makes (to the gate, the
        // catch-up after the last day, each approval), so every phase gets its share; each lands
        // at a random work event of its pass, the last completed pass's length the estimate of
        // how many there are. Kills a pass ends before flow on to the next pass.
        var killPlan = Self.spread(options.faults.kills, over: shape.mode == .full ? 5 : 3, using: &state.faultGenerator)
        // Restarts are dealt over the same passes, from a generator of their own so a run with
        // restarts kills at the same moments as one without.
        var restartGenerator = SeededGenerator(seed: options.seed ^ 0x8E57_A87)
        var restartPlan = Self.spread(options.faults.restarts, over: shape.mode == .full ? 5 : 3, using: &restartGenerator)
        var restartsMissed = 0
        defer {
            let left = restartsMissed + restartPlan.reduce(0, +)
            if left > 0 {
                state.report.faults.append(
                    .init(
                        fault: "restart", injected: "\(left) restart(s) not injected: the run reached its end before the chosen moments",
                        recovery: "nothing to recover"))
            }
        }
        var logicalPass = 0
        var workEventsEstimate = 40
        var steadyPasses = 0
        let passLimit = Rehearsal.passLimit + options.faults.kills
        for number in 1...passLimit {
            let plannedHere = logicalPass < killPlan.count ? killPlan[logicalPass] : state.killsLeft
            let killAfter = plannedHere > 0 ? Int.random(in: 1...workEventsEstimate, using: &state.faultGenerator) : nil
            let log = layout.logs.appendingPathComponent(String(format: "%02d-%@.log", number, command[0]))
            let arguments = command + ["--json"]
            let moment = killAfter
            let restartPlanned = logicalPass < restartPlan.count && restartPlan[logicalPass] > 0
            let restart =
                restartPlanned && command[0] == "apply"
                ? options.restartCommand.map {
                    ServerRestart(after: Int.random(in: 1...workEventsEstimate, using: &restartGenerator), command: $0)
                } : nil
            let replicas = command[0] == "apply" ? options.replicas : 1
            let result = try await runReplicas(child, arguments, log: log, count: replicas, killAfter: moment, restart: restart)
            if let restart, let said = restart.outcome {
                restartPlan[logicalPass] -= 1
                state.report.faults.append(
                    .init(
                        fault: "restart", injected: "pass \(number), after work event \(restart.after): \(said)",
                        recovery: result.killed
                            ? "the pass was killed as well (next fault)"
                            : "the pass went on after the restart and ended `\(Self.short(result.lastMessage))`, exit \(result.status)"))
                progress("pass \(number): fault: \(said) in the middle of the pass")
            } else if restartPlanned, !result.killed {
                // Not reached in this pass (an approval, or a pass without a moment for it): the next one.
                if logicalPass + 1 < restartPlan.count {
                    restartPlan[logicalPass + 1] += restartPlan[logicalPass]
                } else {
                    restartsMissed += restartPlan[logicalPass]
                }
                restartPlan[logicalPass] = 0
            }
            let label = command[0] == "approve" ? "approve \(command[3])" : (replicas > 1 ? "apply (\(replicas) replicas)" : "apply")
            if result.killed {
                if logicalPass < killPlan.count { killPlan[logicalPass] -= 1 }
            } else {
                workEventsEstimate = max(1, result.workEventCount)
                if logicalPass < killPlan.count {
                    if logicalPass + 1 < killPlan.count { killPlan[logicalPass + 1] += killPlan[logicalPass] }
                    killPlan[logicalPass] = 0
                }
                logicalPass += 1
            }
            state.report.passes.append(
                .init(
                    number: number, command: label, exitCode: result.status, killed: result.killed,
                    outcome: result.killed ? "killed" : result.lastMessage, log: "logs/" + log.lastPathComponent))
            if let index = state.pendingRecovery {
                state.report.faults[index].recovery = recovery(after: result, pass: number)
                state.pendingRecovery = nil
            }
            if result.killed {
                state.killsLeft -= 1
                let place = result.place
                state.report.faults.append(
                    .init(
                        fault: "kill",
                        injected:
                            "SIGKILL to `\(label)` (pass \(number)) in \(place), at its work event \(moment ?? 0): “\(Self.short(result.lines.last?.message.trimmingCharacters(in: .whitespaces) ?? ""))”",
                        recovery: ""))
                state.pendingRecovery = state.report.faults.count - 1
                progress("pass \(number): \(label): KILLED with SIGKILL in \(place) (fault injected)")
                command = ["apply", "plan.yaml", "--once"]
                continue
            }
            progress("pass \(number): \(label) → exit \(result.status): \(Self.short(result.lastMessage))")
            switch result.status {
            case 0:
                if shape.mode == .readOnly, !state.lastDayPublished {
                    // A read-only plan without an approval gate would end before the last day.
                    try await publishLastDay(&state)
                    command = ["apply", "plan.yaml", "--once"]
                    continue
                }
                // A read-only run is steady: its passes go on (importer and mirror), so a
                // pending kill still has passes to land in.
                if shape.mode == .readOnly, state.killsLeft > 0, steadyPasses < 3 {
                    steadyPasses += 1
                    command = ["apply", "plan.yaml", "--once"]
                    continue
                }
                return
            case 4:
                consecutiveTroubles = 0
                let gate = result.lines.reversed().lazy.compactMap(Self.gate(in:)).first ?? "key-rotation"
                if gate == "key-rotation", !state.lastDayPublished {
                    try await publishLastDay(&state)
                    try await republishOne(&state)
                    command = ["apply", "plan.yaml", "--once"]
                } else if gate == "key-rotation", state.lateWaitsLeft > 0 {
                    state.lateWaitsLeft -= 1
                    if state.lateWaitsLeft == Self.lateApprovalPasses - 1 {
                        state.report.faults.append(
                            .init(
                                fault: "late-approval",
                                injected: "the key-rotation approval is withheld for \(Self.lateApprovalPasses) more passes while the run waits", recovery: ""))
                    }
                    progress("fault: the key-rotation approval is late; the run waits another pass")
                    command = ["apply", "plan.yaml", "--once"]
                } else {
                    progress("approving \(gate) as `rehearsal` (a real run waits for a person)")
                    command = ["approve", "plan.yaml", "--gate", gate, "--by", "rehearsal", "--note", "rehearsal"]
                }
            case 3:
                let said = result.lines.map(\.message).joined(separator: "\n")
                if let (file, fault) = state.unavailable, said.contains(file) {
                    // Blocked on the unread file, as it must be: the CDN serves it again.
                    server.clearFaults(for: "cdn/\(file)")
                    state.report.faults[fault].recovery =
                        "pass \(number) blocked (exit 3) naming it"
                        + (said.contains("inconclusive") ? " with the proof inconclusive" : "") + "; served again, the next passes read it"
                    state.unavailable = nil
                    progress("the state's CDN serves \(file) again")
                    command = ["apply", "plan.yaml", "--once"]
                    continue
                }
                if let (file, fault) = state.refused, said.contains(file) {
                    // The loss is known and decided: accept it on the record, as an operator would.
                    let log = layout.logs.appendingPathComponent(String(format: "%02d-accept-loss.log", number))
                    let accepted = try await offPool {
                        try child.run(
                            [
                                "accept-loss", "plan.yaml", "--file", file, "--by", "rehearsal",
                                "--note", "a RECURSIVE key the importer refuses (rehearsal)", "--json",
                            ], log: log, killAfter: nil)
                    }
                    state.report.faults[fault].recovery =
                        "pass \(number) blocked (exit 3): the proof names the missing key's file; "
                        + "`accept-loss` recorded the decision (exit \(accepted.status)) and the gate opened on the rest"
                    state.refused = nil
                    progress("accepting the loss of \(file) as `rehearsal` (a real run waits for a person)")
                    command = ["apply", "plan.yaml", "--once"]
                    continue
                }
                consecutiveTroubles += 1
                if consecutiveTroubles > 5 {
                    throw RehearsalError.runFailed("the run stayed blocked for \(consecutiveTroubles) passes: \(result.lastMessage)")
                }
                // Blocked by a check that time fixes (the quiet period, a file waiting for a retry).
                try await Task.sleep(for: shape.quietPeriod.map { $0 + .milliseconds(200) } ?? shape.retryBackoff.max)
                command = ["apply", "plan.yaml", "--once"]
            default:
                consecutiveTroubles += 1
                if consecutiveTroubles > 3 {
                    throw RehearsalError.runFailed("`\(label)` kept failing (exit \(result.status)): \(result.lastMessage); see \(log.path)")
                }
                command = ["apply", "plan.yaml", "--once"]
            }
        }
        throw RehearsalError.runFailed("the run did not reach its end in \(passLimit) passes; see \(layout.logs.path)")
    }

    /// Runs `count` copies of the pass at once (replicas sharing the journal) and returns the
    /// one that did the work: the others found the run held (exit 5) and did nothing, unless
    /// one took a killed holder's run over. With one replica it is the plain child run.
    private func runReplicas(
        _ child: ChildRun, _ arguments: [String], log: URL, count: Int, killAfter: Int?,
        restart: ServerRestart?
    ) async throws -> ChildRun.Result {
        guard count > 1 else {
            return try await offPool { try child.run(arguments, log: log, killAfter: killAfter, restart: restart) }
        }
        let results = try await withThrowingTaskGroup(of: (Int, ChildRun.Result).self) { group in
            for replica in 0..<count {
                let replicaLog =
                    replica == 0
                    ? log
                    : log.deletingPathExtension().appendingPathExtension("replica-\(replica + 1).log")
                group.addTask {
                    (replica, try await offPool { try child.run(arguments, log: replicaLog, killAfter: killAfter, restart: restart, replica: true) })
                }
            }
            var all: [(Int, ChildRun.Result)] = []
            for try await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let busy = results.filter { $0.status == 5 && !$0.killed }.count
        progress(
            "replicas: \(results.count) started, \(busy) found the run held (exit 5)"
                + (results.contains(where: { $0.lines.contains { $0.event == "lockTakenOver" } }) ? ", one took a killed holder's run over" : ""))
        guard busy < results.count else {
            throw RehearsalError.runFailed("all \(results.count) replicas found the run held (exit 5): nobody worked; see \(log.path)")
        }
        return results.first { $0.killed } ?? results.first { $0.status != 5 } ?? results[0]
    }

    private func publishLastDay(_ state: inout Progress) async throws {
        var revoking: [Data] = []
        let revocable = StateSimulation.revocableKey(startingBefore: 0).keyData
        if options.faults.revocation, let file = state.published.first(where: { $0.keys.contains(revocable) }) {
            revoking = [revocable]
            state.revoked = revocable
            state.report.faults.append(
                .init(
                    fault: "revocation", injected: "the last day revokes a `likely` key of \(file.name) (a revised key, report type REVOKED)", recovery: ""))
        }
        let files = try await simulation.publish(day: options.days - 1, using: &state.keyGenerator, revoking: revoking)
        state.published += files
        state.lastDayPublished = true
        progress("the simulated state publishes day \(options.days): \(files.count) files, \(files.reduce(0) { $0 + $1.keys.count }) keys")
    }

    /// The `republished` fault: one earlier file (not a faulted one) comes again under its name
    /// with keys it did not have, while the run waits at the gate.
    private func republishOne(_ state: inout Progress) async throws {
        guard options.faults.republishedFile, state.republished == nil else { return }
        let faulted = Set([state.tampered?.name, state.unavailable?.file, state.refused?.file].compactMap { $0 } + state.failingFiles)
        guard let index = state.published.firstIndex(where: { !faulted.contains($0.name) }) else { return }
        let original = state.published[index]
        let extra = (0..<3).map { number in
            ExportKey(
                keyData: Data(repeating: 0xA0 + UInt8(number), count: 16), transmissionRiskLevel: 3,
                rollingStartIntervalNumber: Int32(simulation.firstDayStart / 600) - 144 * 3)
        }
        let again = try await simulation.republish(original, adding: extra)
        state.published[index] = again
        state.republished = again
        state.report.faults.append(
            .init(
                fault: "republished", injected: "\(original.name) republished under its name with \(extra.count) more keys while the run waits at the gate",
                recovery: ""))
        progress("fault: the state republishes \(original.name) with \(extra.count) more keys")
    }

    private func recovery(after result: ChildRun.Result, pass: Int) -> String {
        let takeOver = result.lines.contains { $0.event == "lockTakenOver" } ? "took the run lock over from the killed process; " : ""
        let rerun = result.lines.filter { $0.event == "recovered" }.map(\.message)
        let steps = rerun.isEmpty ? "resumed at the next step" : rerun.joined(separator: "; ")
        let ending = result.killed ? "was killed in turn (next fault)" : "`\(Self.short(result.lastMessage))`, exit \(result.status)"
        return "pass \(pass) (\(ending)): " + takeOver + steps
    }

    /// `count` kills dealt at random over `passes` passes.
    static func spread(_ count: Int, over passes: Int, using generator: inout SeededGenerator) -> [Int] {
        var plan = [Int](repeating: 0, count: passes)
        for _ in 0..<count { plan[Int.random(in: 0..<passes, using: &generator)] += 1 }
        return plan
    }

    /// A progress line of reasonable length (the log has the whole message).
    private static func short(_ message: String) -> String {
        message.count <= 160 ? message : message.prefix(157) + "…"
    }

    private static func gate(in line: ChildRun.Line) -> String? {
        line.event == "waitingForApproval" ? line.record?.gate : nil
    }
}
