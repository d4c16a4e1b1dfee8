import Foundation

/// What `adopt` did.
public enum PlanAdoption: Sendable, Equatable {
    /// The run now runs on the definition's plan: a `plan-adopted` record names it.
    case adopted(from: String)
    /// The run already ran on it; nothing was recorded.
    case alreadyCurrent
}

extension Orchestrator {
    /// `adopt`: the run goes on with this definition's plan. `changes` are its differences from
    /// the plan the run runs on (one line each, kept in the record), every one of them judged
    /// safe by the caller: how the work is done, never what is migrated or where.
    ///
    /// Takes the run lock (a process holding it is named, ``JournalError/lockHeld(holder:)``):
    /// a running apply keeps the plan it loaded, so it must be stopped first. The record comes
    /// first, then the plan document the next diff starts from; a crash between the two is
    /// mended by adopting again. Approvals carry over (see ``validApproval(for:)``).
    /// `expected`: the plan hash the caller compared the file with; when the run moved on to
    /// another one before the lock was taken, nothing is recorded and `planChanged` names both.
    public func adoptPlan(changes: [String], expected: String? = nil) throws -> PlanAdoption {
        try refuseBrokenJournal()
        guard let run = try journal.run(), try journal.lastRecord() != nil else {
            throw JournalError.missing(path: journal.location)
        }
        let document = definition.planDocument.map { Data($0.utf8) }
        if try journal.currentPlanHash(of: run) == definition.planHash, try document == nil || journal.document("plan") == document {
            return .alreadyCurrent
        }
        let (fence, _) = try journal.acquireLease(
            owner: environment.owner, now: environment.now(), ttl: definition.leaseDuration, isAlive: environment.isAlive)
        defer { try? journal.releaseLease(fence: fence) }
        // Read under the lock: another process may have adopted or moved the run since the look above.
        let current = try journal.currentPlanHash(of: run)
        guard let last = try journal.lastRecord() else { throw JournalError.missing(path: journal.location) }
        if let expected, current != expected, current != definition.planHash {
            throw JournalError.planChanged(started: current, now: definition.planHash)
        }
        if current != definition.planHash {
            let machine = RunStateMachine.unmoved(run: run, last: last)
            try journal.append(
                .planAdopted, machine: machine,
                detail: ["planHash": definition.planHash, "from": current, "changes": changes.joined(separator: "\n")],
                fence: fence, at: environment.now())
        }
        if let document { try journal.saveDocument("plan", document, fence: fence, at: environment.now()) }
        return current != definition.planHash ? .adopted(from: current) : .alreadyCurrent
    }
}
