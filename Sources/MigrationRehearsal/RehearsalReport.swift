import Foundation

/// What a rehearsal did and how it ended; printed by `rehearse --json` and written to
/// `rehearsal-report.json` in the rehearsal folder.
public struct RehearsalReport: Sendable, Encodable {
    /// One child process the rehearsal ran.
    public struct Pass: Sendable, Encodable {
        public let number: Int
        public let command: String
        public let exitCode: Int32
        public let killed: Bool
        public let outcome: String
        public let log: String
    }

    /// One injected fault: what was done and how the run recovered.
    public struct FaultRecord: Sendable, Encodable {
        public let fault: String
        public let injected: String
        public var recovery: String
    }

    /// The state the run ended in, judged by the same coverage proof `enmigrate verify` runs.
    public struct EndState: Sendable, Encodable, Equatable {
        public let phase: String
        public let status: String
        public let coverageHolds: Bool
        public let compared: String
        public let stateKeys: Int
        public let stateDigest: String
        public let nationalKeys: Int
        public let nationalDigest: String
        public let clientIndexSwapped: Bool
        public let failedFiles: [String]
        /// The journal's hash chain checked end to end (`status --verify-journal`).
        public let journalIntact: Bool
        public let cutoverLatencyMs: Int64?

        /// The end state without what differs between two correct runs (latency).
        public var comparable: EndState {
            EndState(
                phase: phase, status: status, coverageHolds: coverageHolds, compared: compared, stateKeys: stateKeys,
                stateDigest: stateDigest, nationalKeys: nationalKeys, nationalDigest: nationalDigest,
                clientIndexSwapped: clientIndexSwapped, failedFiles: failedFiles, journalIntact: journalIntact, cutoverLatencyMs: nil)
        }
    }

    public let plan: String
    public let folder: String
    public let seed: UInt64
    public let faultSpec: String
    public let adjustments: [String]
    public let days: Int
    public let keysPerDay: Int
    /// Where the second and national feeds lived: folders, or the plan's buckets on emulators.
    public var buckets = ""
    /// Client files and keys the simulated state published, all days together.
    public var clientFiles = 0
    public var keysPublished = 0
    public var passes: [Pass] = []
    public var faults: [FaultRecord] = []
    public var endState: EndState?
    /// True when the run reached the plan's end and the coverage proof holds.
    public var succeeded = false
    /// Why not, when it did not.
    public var problem: String?
}
