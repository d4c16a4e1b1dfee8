import Foundation

/// An operator's decision, recorded in the journal, that what a state file holds need not
/// reach phones (keys the importer refused by rule, or a file the state's CDN cannot serve).
/// Recorded by `enmigrate accept-loss`; without one the coverage proof stays shut.
public struct LossAcceptance: Sendable, Equatable {
    /// The state client index entry the decision is about.
    public let file: String
    /// Who decided.
    public let by: String
    /// Why.
    public let note: String
    /// When it was recorded.
    public let at: Date

    public init(file: String, by: String, note: String, at: Date) {
        self.file = file
        self.by = by
        self.note = note
        self.at = at
    }
}

/// A decision about a run that has not started.
public struct NoRunYet: Error, CustomStringConvertible {
    public var description: String { "the run has not started: run `enmigrate apply PLAN` first" }
}

extension Orchestrator {
    /// Records that the loss of what `files` hold is accepted, by `by`, because `note`. Needs
    /// no run lock (like an approval); refused before the run started or when the plan changed.
    public func acceptLoss(files: [String], by: String, note: String) throws -> [LossAcceptance] {
        try refuseBrokenJournal()
        guard let run = try journal.run() else { throw NoRunYet() }
        guard run.planHash == definition.planHash else { throw JournalError.planChanged(started: run.planHash, now: definition.planHash) }
        let machine = RunStateMachine.restored(run: run, last: try journal.lastRecord())
        let now = environment.now()
        try journal.append(.lossAccepted, machine: machine, values: Self.filesDetail(files, by: by, note: note), fence: 0, at: now)
        return files.map { LossAcceptance(file: $0, by: by, note: note, at: now) }
    }

    /// Records that `files` were put back in the queue, by `by`, because `note`. Needs no lock.
    public func recordRequeue(files: [String], by: String, note: String) throws {
        guard let run = try journal.run() else { throw NoRunYet() }
        let machine = RunStateMachine.restored(run: run, last: try journal.lastRecord())
        try journal.append(.requeued, machine: machine, values: Self.filesDetail(files, by: by, note: note), fence: 0, at: environment.now())
    }

    /// The detail of an accepted loss or a requeue: the files as a list, who and why.
    private static func filesDetail(_ files: [String], by: String, note: String) -> [String: JournalValue] {
        ["files": .array(files.map(JournalValue.string)), "by": .string(by), "note": .string(note)]
    }

    /// One value of a record's detail, if it has it.
    public static func detailValue(_ detail: String, _ key: String) -> String? {
        CheckRecord.value(detail, key)
    }

    /// Every accepted loss in `records`, oldest first.
    public static func acceptedLosses(_ records: [JournalRecord]) -> [LossAcceptance] {
        records.filter { $0.kind == .lossAccepted }.flatMap { record -> [LossAcceptance] in
            // A list, or (written by an older enmigrate) its JSON text.
            guard let files = CheckRecord.values(record.detail)?["files"]?.decoded(as: [String].self) else { return [] }
            let by = CheckRecord.value(record.detail, "by") ?? ""
            let note = CheckRecord.value(record.detail, "note") ?? ""
            return files.map { LossAcceptance(file: $0, by: by, note: note, at: record.at) }
        }
    }
}
