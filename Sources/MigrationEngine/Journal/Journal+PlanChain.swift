extension Journal {
    /// The plan hashes `run` has run on, oldest first: the one it started with, then each plan
    /// adopted since (`enmigrate adopt`). The last is the plan the run runs on now.
    public func planHashes(of run: JournalRun) throws(JournalError) -> [String] {
        Self.planHashes(of: run, in: try records())
    }

    /// ``planHashes(of:)`` from records already read.
    public static func planHashes(of run: JournalRun, in records: [JournalRecord]) -> [String] {
        [run.planHash] + records.filter { $0.kind == .planAdopted }.compactMap { CheckRecord.value($0.detail, "planHash") }
    }

    /// The hash of the plan the run runs on now.
    public func currentPlanHash(of run: JournalRun) throws(JournalError) -> String {
        try planHashes(of: run).last ?? run.planHash
    }
}
