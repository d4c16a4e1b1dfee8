import ArgumentParser
import MigrationEngine

/// Maps engine errors to a message on standard error and the documented exit code.
enum EngineErrors {
    static func exit(for error: any Error) -> ExitCode {
        let (code, message) = classify(error)
        if let message { printError(message) }
        return code
    }

    /// The exit code of an error and the line that says what happened (nil for an exit code
    /// thrown on purpose, whose command has printed its own output).
    static func classify(_ error: any Error) -> (ExitCode, String?) {
        switch error {
        case let code as ExitCode:
            return (code, nil)
        case let error as JournalError:
            let code =
                switch error {
                case .lockHeld: EnmigrateExit.lockHeld
                case .planChanged: EnmigrateExit.planChanged
                case .tampered, .corrupt: EnmigrateExit.needsRepair
                case .fenced, .missing, .database: EnmigrateExit.error
                }
            return (code, "error: \(error)")
        case let error as PlanInvalid:
            return (EnmigrateExit.error, error.description)
        case let error as DatabaseCorrupt:
            return (EnmigrateExit.needsRepair, "error: \(error)")
        case let stopped as InterruptHandling.Stopped:
            return (EnmigrateExit.done, "\(stopped)")
        case is CancellationError:
            return (EnmigrateExit.error, "interrupted: the journal holds every finished step; continue with enmigrate apply or resume")
        case let error as RunStateMachine.IllegalTransition:
            return (EnmigrateExit.blocked, "error: \(error.reason)")
        default:
            return (EnmigrateExit.error, "error: \(error)")
        }
    }

    /// Runs `body`, turning any error into its exit code.
    /// With `json`, a failure is also one JSON document on standard output,
    /// `{"error": {"message", "exitCode"}}`, so a script reading stdout is never left with nothing:
    /// for an exit code the verb chose after explaining on standard error, when it printed
    /// nothing on standard output, the message is what it said there.
    static func run(json: Bool = false, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            let (code, message) = classify(error)
            if let message {
                printError(message)
                if json { ErrorDocument(message: message, exitCode: code.rawValue).print() }
            } else if json, code != .success, OutputRecord.shared.standardOutputEmpty {
                // The verb said why on standard error only (a refusal it explains itself).
                let said = OutputRecord.shared.errors.joined(separator: "\n")
                ErrorDocument(message: said.isEmpty ? "exit \(code.rawValue)" : said, exitCode: code.rawValue).print()
            }
            throw code
        }
    }
}

/// How an `apply` outcome ends the process.
extension RunOutcome {
    var exitCode: ExitCode {
        switch self {
        case .steady, .complete, .reached, .aborted, .abortPending: EnmigrateExit.done
        case .waitingForApproval: EnmigrateExit.waitingForApproval
        case .blocked: EnmigrateExit.blocked
        case .failed: EnmigrateExit.error
        }
    }

    var text: String {
        switch self {
        case .steady: "steady: mirroring; the importer and mirror keep running"
        case .complete: "complete"
        case .reached(let phase): "stopped on reaching \(phase.rawValue) (--until)"
        case .waitingForApproval(let gate): "waiting for approval at gate \(gate.rawValue)"
        case .blocked(let reason): "blocked: \(reason)"
        case .failed(let reason): "failed (resumable with enmigrate resume): \(reason)"
        case .aborted: "aborted"
        case .abortPending(let holder):
            "abort recorded: the run is held by \(holder), which stops at its next step boundary (enmigrate status shows when it has)"
        }
    }
}
