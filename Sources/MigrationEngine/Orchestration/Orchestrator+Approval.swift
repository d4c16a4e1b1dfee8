import Foundation

/// An approval recorded in the journal.
public struct Approval: Sendable, Equatable {
    public let gate: Gate
    public let by: String
    public let note: String
    public let at: Date
    public let expires: Date
    public let planHash: String
}

extension Orchestrator {
    /// Records an approval for `gate`. Refused (nothing recorded) unless the run waits at that
    /// gate. Needs no run lock.
    public func approve(_ gate: Gate, by: String, note: String) throws -> Approval {
        try refuseBrokenJournal()
        guard let run = try journal.run() else {
            throw RunStateMachine.IllegalTransition(
                phase: .planned, status: .waiting, event: .approved(gate), reason: "gate \(gate.rawValue) not reached: the run has not started")
        }
        let current = try journal.currentPlanHash(of: run)
        guard current == definition.planHash else { throw JournalError.planChanged(started: current, now: definition.planHash) }
        let unchanged = RunStateMachine.restored(run: run, last: try journal.lastRecord())
        var probe = unchanged
        _ = try probe.handle(.approved(gate))
        let now = environment.now()
        let expiry = definition.gateExpiry[gate] ?? .seconds(72 * 3600)
        let approval = Approval(
            gate: gate, by: by, note: note, at: now, expires: now.addingTimeInterval(Journal.seconds(expiry)),
            planHash: current)
        try journal.append(
            .approval, machine: unchanged,
            detail: [
                "gate": gate.rawValue, "by": by, "note": note, "expires": String(approval.expires.timeIntervalSince1970),
                "planHash": current,
            ], fence: 0, at: now)
        return approval
    }

    /// The newest approval for `gate` recorded since the run entered the gate's phase, if it
    /// is bound to a plan this run has run on and not expired. An approval carries over an
    /// adopted plan: adoption takes only changes that leave what was approved as it was.
    func validApproval(for gate: Gate) throws -> Approval? {
        let records = try journal.records()
        let hashes = try journal.run().map { Set(Journal.planHashes(of: $0, in: records)) } ?? [definition.planHash]
        let entered = records.lastIndex { $0.kind == .phaseEntered && $0.phase == gate.phase } ?? records.startIndex
        for record in records[entered...].reversed() where record.kind == .approval {
            guard let approval = Self.approval(record), approval.gate == gate else { continue }
            guard hashes.contains(approval.planHash), approval.expires > environment.now() else { return nil }
            return approval
        }
        return nil
    }

    /// The approval a journal record holds, if it is one.
    public static func approval(_ record: JournalRecord) -> Approval? {
        guard let gate = CheckRecord.value(record.detail, "gate").flatMap(Gate.init(rawValue:)),
            let expires = CheckRecord.value(record.detail, "expires").flatMap(Double.init)
        else { return nil }
        return Approval(
            gate: gate, by: CheckRecord.value(record.detail, "by") ?? "", note: CheckRecord.value(record.detail, "note") ?? "",
            at: record.at, expires: Date(timeIntervalSince1970: expires),
            planHash: CheckRecord.value(record.detail, "planHash") ?? "")
    }

    /// `abort`: before the point of no return, stops the run (or, while another process holds
    /// the lock, asks it to stop at its next step boundary). With `restoreClientIndex`, only
    /// after cut-over and before decommission.
    /// `by` and `note` (who and why) go into the journal's abort records.
    public func abort(restoreClientIndex: Bool, by: String? = nil, note: String? = nil) async throws -> RunOutcome {
        var who: [String: String] = [:]
        if let by { who["by"] = by }
        if let note { who["note"] = note }
        try refuseBrokenJournal()
        guard let run = try journal.run() else { return .aborted }
        var machine = RunStateMachine.restored(run: run, last: try journal.lastRecord())
        var probe = machine
        _ = try probe.handle(restoreClientIndex ? .restoreClientIndex : .abort)
        if let holder = try journal.holder(at: environment.now()) {
            // Restoring writes the client index: never while another process may be mirroring.
            if restoreClientIndex { throw JournalError.lockHeld(holder: holder) }
            try journal.append(.abortRequested, machine: machine, detail: who, fence: 0, at: environment.now())
            return .abortPending(holder: "\(holder)")
        }
        let (fence, _) = try journal.acquireLease(
            owner: environment.owner, now: environment.now(),
            ttl: definition.leaseDuration, isAlive: environment.isAlive)
        environment.heldLease.hold(journal, fence: fence, ttl: definition.leaseDuration)
        defer {
            environment.heldLease.release()
            try? journal.releaseLease(fence: fence)
        }
        if restoreClientIndex {
            // Intent first: a crash during the restore leaves the run unaborted and the
            // restore is simply run again.
            try journal.append(.restoreIntent, machine: machine, fence: fence, at: environment.now())
            try await registry.restoreClientIndex?()
        }
        _ = try machine.handle(restoreClientIndex ? .restoreClientIndex : .abort)
        try journal.append(.aborted, machine: machine, detail: who, fence: fence, at: environment.now())
        events(.aborted)
        return .aborted
    }
}
