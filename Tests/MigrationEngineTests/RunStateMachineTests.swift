import Testing
@testable import MigrationEngine

@Suite("The run state machine")
struct RunStateMachineTests {
    static let events: [RunStateMachine.Event] = [
        .begin, .stepSucceeded, .stepFailed(reason: "r"), .checksPassed, .checksBlocked(reason: "r"),
        .approved(.keyRotation), .approved(.appUpdate), .approved(.decommission), .abort, .restoreClientIndex,
    ]

    @Test("every phase × status × step state × event has a defined outcome: actions, or an error with a reason")
    func exhaustive() {
        var outcomes = 0
        for mode in MigrationPhase.Mode.allCases {
            for phase in MigrationPhase.allCases {
                for status in RunStatus.allCases {
                    for stepDone in [false, true] {
                        for event in Self.events {
                            var machine = RunStateMachine(mode: mode, phase: phase, status: status, stepDone: stepDone)
                            do {
                                let actions = try machine.handle(event)
                                #expect(!actions.isEmpty, "\(mode) \(phase) \(status) \(stepDone) \(event) gave no action")
                            } catch {
                                #expect(!error.reason.isEmpty)
                                #expect(error.phase == phase && error.status == status)
                                // A refused event changes nothing.
                                #expect(machine == RunStateMachine(mode: mode, phase: phase, status: status, stepDone: stepDone))
                            }
                            outcomes += 1
                        }
                    }
                }
            }
        }
        #expect(outcomes == 2 * MigrationPhase.allCases.count * 6 * 2 * 10)
    }

    /// Drives a run with every step and check succeeding, approving gates as they come.
    private func drive(_ machine: inout RunStateMachine) throws -> [RunStateMachine.Action] {
        var log: [RunStateMachine.Action] = []
        var pending = try machine.handle(.begin)
        while let action = pending.first {
            pending.removeFirst()
            log.append(action)
            switch action {
            case .runStep: pending += try machine.handle(.stepSucceeded)
            case .runExitChecks: pending += try machine.handle(.checksPassed)
            case .waitForApproval(let gate): pending += try machine.handle(.approved(gate))
            default: break
            }
        }
        return log
    }

    @Test("a read-only run goes through every phase to a steady mirroring state")
    func readOnlyPath() throws {
        var machine = RunStateMachine(mode: .readOnly)
        let log = try drive(&machine)
        let entered = log.compactMap { action -> MigrationPhase? in
            if case .enterPhase(let phase) = action { return phase }
            return nil
        }
        #expect(entered == [.dualExport, .importing, .preparingCutOver, .keyRotation, .mirroring])
        #expect(log.contains(.waitForApproval(.keyRotation)))
        #expect(log.last == .holdSteady)
        #expect(machine.phase == .mirroring && machine.status == .steady)
        #expect(try machine.handle(.begin) == [.holdSteady])
    }

    @Test("a full run waits at all three gates and completes")
    func fullPath() throws {
        var machine = RunStateMachine(mode: .full)
        let log = try drive(&machine)
        #expect(
            log.filter { if case .waitForApproval = $0 { true } else { false } }
                == [.waitForApproval(.keyRotation), .waitForApproval(.appUpdate), .waitForApproval(.decommission)])
        #expect(log.suffix(2) == [.enterPhase(.complete), .finish])
        #expect(machine.status == .succeeded)
        #expect(throws: RunStateMachine.IllegalTransition.self) { try machine.handle(.begin) }
    }

    @Test("an app-update gate configured `none` opens by itself; key-rotation and decommission never do")
    func optionalGate() throws {
        var machine = RunStateMachine(mode: .full, requiredGates: [])
        #expect(machine.requiredGates == [.keyRotation, .decommission])
        let log = try drive(&machine)
        #expect(!log.contains(.waitForApproval(.appUpdate)))
    }

    @Test("approving a gate that is not reached names the phase the run is in, and records nothing")
    func approvalBeforeGate() throws {
        var machine = RunStateMachine(mode: .readOnly, phase: .importing, status: .waiting)
        #expect(throws: RunStateMachine.IllegalTransition.self) { try machine.handle(.approved(.keyRotation)) }
        do {
            _ = try machine.handle(.approved(.keyRotation))
        } catch {
            #expect(error.reason == "gate key-rotation not reached: the run is in importing (waiting)")
        }
    }

    @Test("approving a gate whose step is running or failed says so, not that the gate is not reached")
    func approvalWhileStepRuns() throws {
        for (status, words) in [
            (RunStatus.running, "was approved already: its step is running now"),
            (.failed, "its step failed and is resumable (enmigrate resume PLAN)"),
        ] {
            var machine = RunStateMachine(mode: .readOnly, phase: .keyRotation, status: status)
            do {
                _ = try machine.handle(.approved(.keyRotation))
                Issue.record("approved a gate whose step is \(status)")
            } catch {
                #expect(error.reason.contains(words) && !error.reason.contains("not reached"), "\(error.reason)")
            }
        }
    }

    @Test("a failed step leaves the run failed and resumable from that step")
    func failureAndResume() throws {
        var machine = RunStateMachine(mode: .readOnly, phase: .importing, status: .running)
        #expect(try machine.handle(.stepFailed(reason: "timeout")) == [.stopFailed("timeout")])
        #expect(machine.status == .failed)
        #expect(try machine.handle(.begin) == [.runStep(.importing)])
    }

    @Test("abort works before cut-over; after it only restoring the client index; never after decommission starts")
    func abortRules() throws {
        var early = RunStateMachine(mode: .full, phase: .keyRotation, status: .waiting)
        #expect(try early.handle(.abort) == [.stopAborted])

        var afterCutOver = RunStateMachine(mode: .full, phase: .mirroring, status: .steady)
        #expect(throws: RunStateMachine.IllegalTransition.self) { try afterCutOver.handle(.abort) }
        #expect(try afterCutOver.handle(.restoreClientIndex) == [.restoreClientIndex, .stopAborted])

        var decommissioning = RunStateMachine(mode: .full, phase: .decommission, status: .running)
        #expect(throws: RunStateMachine.IllegalTransition.self) { try decommissioning.handle(.restoreClientIndex) }
        #expect(throws: RunStateMachine.IllegalTransition.self) { try decommissioning.handle(.abort) }

        var beforeCutOver = RunStateMachine(mode: .full, phase: .importing, status: .failed)
        #expect(throws: RunStateMachine.IllegalTransition.self) { try beforeCutOver.handle(.restoreClientIndex) }
    }

    @Test("a blocking check leaves the run waiting; begin re-runs the checks")
    func blockedChecks() throws {
        var machine = RunStateMachine(mode: .readOnly, phase: .importing, status: .running, stepDone: true)
        #expect(try machine.handle(.checksBlocked(reason: "import lag 2 periods")) == [.stopBlocked("import lag 2 periods")])
        #expect(machine.status == .waiting)
        #expect(try machine.handle(.begin) == [.runExitChecks(.importing)])
    }
}
