import ArgumentParser
import MigrationEngine

/// Maps engine errors to a message on standard error and the documented exit code.
enum EngineErrors {
    static func exit(for error: any Error) -> ExitCode {
        switch error {
        case let code as ExitCode:
            return code
        case let error as JournalError:
            printError("error: \(error)")
            switch error {
            case .lockHeld: return EnmigrateExit.lockHeld
            case .planChanged: return EnmigrateExit.planChanged
            case .tampered, .corrupt: return EnmigrateExit.needsRepair
            case .fenced, .missing, .database: return EnmigrateExit.error
            }
        case let error as DatabaseCorrupt:
            printError("error: \(error)")
            return EnmigrateExit.needsRepair
        case is CancellationError:
            printError("interrupted: the journal holds every finished step; continue with enmigrate apply or resume")
            return EnmigrateExit.error
        case let error as RunStateMachine.IllegalTransition:
            printError("error: \(error.reason)")
            return EnmigrateExit.blocked
        default:
            printError("error: \(error)")
            return EnmigrateExit.error
        }
    }

    /// Runs `body`, turning any error into its exit code.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            throw exit(for: error)
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
        case .abortPending(let holder): "abort recorded: the run is held by \(holder), which stops at its next step boundary (enmigrate status shows when it has)"
        }
    }
}
