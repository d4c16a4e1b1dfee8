import Foundation

extension RunStatusReport {
    /// How far one worker's work is, from the stores: a sentence for people and its counts
    /// for scripts (`reSigned`, `quarantined`, `retrying`, `imported`, `failed`, `keys`,
    /// `written`, `staged`, …: the names each worker has).
    public struct WorkerProgress: Sendable, Codable, Equatable, CustomStringConvertible {
        public let worker: String
        public let summary: String
        public let counts: [String: Int]

        public init(worker: String, summary: String, counts: [String: Int] = [:]) {
            self.worker = worker
            self.summary = summary
            self.counts = counts
        }

        public var description: String { "\(worker): \(summary)" }
    }

    /// A file a worker failed for good, quarantined or waits to retry.
    public struct FileNeedingAttention: Sendable, Codable, Equatable, CustomStringConvertible {
        /// `failed` (the importer, for good), `quarantined` (dual-export) or `retrying`.
        public enum Status: String, Sendable, Codable {
            case failed, quarantined, retrying
        }

        public let file: String
        public let worker: String
        public let status: Status
        public let reason: String

        public init(file: String, worker: String, status: Status, reason: String) {
            self.file = file
            self.worker = worker
            self.status = status
            self.reason = reason
        }

        /// The line `status` prints.
        public var description: String {
            let what =
                switch (worker, status) {
                case ("dual-export", .quarantined): "quarantined by dual-export"
                case ("dual-export", _): "dual-export will retry"
                case (_, .failed): "failed"
                case (_, _): "waiting for a retry"
                }
            return "\(file): \(what) — \(reason)"
        }
    }
}
