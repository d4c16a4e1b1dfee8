import Foundation

/// What a finished migration did, written as Markdown and JSON when it is decommissioned.
public struct DecommissionReport: Codable, Sendable, Equatable {
    /// One phase of the timeline.
    public struct Span: Codable, Sendable, Equatable {
        public let phase: String
        public let enteredAt: Date
        public let leftAt: Date?
        public init(phase: String, enteredAt: Date, leftAt: Date?) {
            self.phase = phase
            self.enteredAt = enteredAt
            self.leftAt = leftAt
        }
    }

    /// One recorded approval.
    public struct Approval: Codable, Sendable, Equatable {
        public let gate: String
        public let by: String
        public let note: String
        public let at: Date
        public init(gate: String, by: String, note: String, at: Date) {
            self.gate = gate
            self.by = by
            self.note = note
            self.at = at
        }
    }

    /// What the journal knows: the timeline, approvals and cut-over latency.
    public struct RunFacts: Sendable {
        public let timeline: [Span]
        public let approvals: [Approval]
        public let cutOverLatencyMs: Int64?
        /// What phones fetched at the swap, by download algorithm (``PhoneDownloadSimulation``).
        public let phoneDownloadsAtSwap: String?
        public init(timeline: [Span], approvals: [Approval], cutOverLatencyMs: Int64?, phoneDownloadsAtSwap: String? = nil) {
            self.timeline = timeline
            self.approvals = approvals
            self.cutOverLatencyMs = cutOverLatencyMs
            self.phoneDownloadsAtSwap = phoneDownloadsAtSwap
        }
    }

    public let migration: String
    public let writtenAt: Date
    public let timeline: [Span]
    public let approvals: [Approval]
    public let keysInNationalStore: Int
    public let filesImported: Int
    public let filesFailed: [String]
    public let filesMirrored: Int
    public let cutOverLatencyMs: Int64?
    public let coverage: String
    public let secondFeedArchive: String
    /// State files the proof left out because a phone rejects them (read whole, failed verification).
    public var stateFilesLeftOut: [String] = []
    /// Losses operators accepted with `accept-loss`, with who and why.
    public var acceptedLosses: [String] = []
    /// What phones fetched at the swap, by download algorithm.
    public var phoneDownloadsAtSwap: String?

    /// The report for people.
    public var markdown: String {
        var lines = [
            "# Decommission report: \(migration)", "", "Written \(writtenAt.formatted(.iso8601)).", "", "## Timeline", "",
            "| phase | entered | left |", "|---|---|---|",
        ]
        lines += timeline.map { "| \($0.phase) | \($0.enteredAt.formatted(.iso8601)) | \($0.leftAt?.formatted(.iso8601) ?? "") |" }
        lines += ["", "## Approvals", "", "| gate | by | at | note |", "|---|---|---|---|"]
        lines += approvals.map { "| \($0.gate) | \($0.by) | \($0.at.formatted(.iso8601)) | \($0.note) |" }
        lines += [
            "", "## Keys and files", "",
            "- keys in the national key store: \(keysInNationalStore)",
            "- second-feed files imported: \(filesImported); failed for good: \(filesFailed.count)",
            "- national files mirrored at the state's CDN: \(filesMirrored)",
            "- cut-over latency (approval to index swap): " + (cutOverLatencyMs.map { "\($0) ms" } ?? "not recorded"),
            "- at the swap, " + (phoneDownloadsAtSwap ?? "what phones fetched was not recorded"),
            "- coverage after the final sweep: \(coverage)",
            "- the state's second feed is archived (not deleted) at \(secondFeedArchive)",
        ]
        if !filesFailed.isEmpty { lines += ["", "## Files that failed for good", ""] + filesFailed.map { "- \($0)" } }
        if !stateFilesLeftOut.isEmpty {
            lines += ["", "## State files left out of the proof (phones reject them too)", ""] + stateFilesLeftOut.map { "- \($0)" }
        }
        if !acceptedLosses.isEmpty { lines += ["", "## Accepted losses", ""] + acceptedLosses.map { "- \($0)" } }
        return lines.joined(separator: "\n") + "\n"
    }
}
