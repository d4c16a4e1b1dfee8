import Foundation

/// One event of a run as a typed object: what `--json` prints, one per line, what hooks
/// receive, and what the rehearsal reads back from the processes it runs. Versioned by
/// ``schema``; documented by `schemas/event.schema.json`, which the test command checks real
/// output against. Fields that do not apply to a type are absent, never empty. Never carries
/// key material.
public struct EventRecord: Codable, Sendable, Equatable {
    /// The contract's name and version. A change that removes or retypes a field is a new
    /// version; new optional fields and new types are not.
    public static let currentSchema = "enmigrate.event/1"

    public enum Level: String, Codable, Sendable {
        case info, warning, error
    }

    public var schema: String = EventRecord.currentSchema
    /// When the event happened: RFC 3339, UTC, milliseconds.
    public var timestamp: String
    public var level: Level
    /// The event's type: a ``MigrationEvent`` case name, or `outcome`, `note`, `hook`.
    public var type: String
    /// The same event in one line for people.
    public var message: String
    public var phase: String?
    public var worker: String?
    public var attempt: Int?
    /// Progress: items done of `total` (files, for every worker today).
    public var done: Int?
    public var total: Int?
    public var unit: String?
    /// Keys the progress or the file concerns, when the worker counts them.
    public var keys: Int?
    public var file: String?
    public var reason: String?
    /// A file problem: failed for good (quarantined) rather than left for a later pass.
    public var permanent: Bool?
    public var waitMilliseconds: Int64?
    public var gate: String?
    /// Who approved (`approvalUsed`).
    public var by: String?
    /// A waiting line printed again after a long wait.
    public var reminder: Bool?
    /// The command that moves the run on (the approval a gate waits for).
    public var command: String?
    public var check: CheckResult?
    /// How `apply` ended (`outcome`): steady, complete, reached, waiting-for-approval, blocked,
    /// failed, aborted, abort-pending; and the exit code it ends with.
    public var outcome: String?
    public var exitCode: Int32?
    /// `lockTakenOver`: the holder whose process was gone.
    public var from: String?
    /// `recovered`: whether the interrupted step had finished.
    public var alreadyDone: Bool?
    /// `backlog`: files still to do after the pass, and since when the oldest waits.
    public var pending: Int?
    public var since: String?
    /// In a hook's body: the hook event it was told about (`gate-waiting`, …) and the plan's
    /// migration name.
    public var hook: String?
    public var migration: String?

    enum CodingKeys: String, CodingKey {
        case schema, timestamp = "@timestamp", level, type, message, phase, worker, attempt, done, total, unit, keys, file, reason
        case permanent, waitMilliseconds, gate, by, reminder, command, check, outcome, exitCode, from, alreadyDone, hook, migration, pending, since
    }

    public init(type: String, level: Level, message: String, at date: Date) {
        self.type = type
        self.level = level
        self.message = message
        timestamp = Self.timestamp(date)
    }

    /// The record of `event`, at `date`.
    public init(_ event: MigrationEvent, at date: Date) {
        self.init(type: event.typeName, level: event.level, message: event.text.trimmingCharacters(in: .whitespaces), at: date)
        switch event {
        case .lockTakenOver(let holder): from = holder
        case let .recovered(phase, worker, done):
            self.phase = phase.rawValue
            self.worker = worker
            alreadyDone = done
        case .phaseEntered(let phase): self.phase = phase.rawValue
        case let .stepStarted(phase, worker, attempt):
            (self.phase, self.worker, self.attempt) = (phase.rawValue, worker, attempt)
        case let .stepRetrying(phase, worker, attempt, reason, wait):
            (self.phase, self.worker, self.attempt, self.reason, waitMilliseconds) = (phase.rawValue, worker, attempt, reason, wait)
        case let .stepSucceeded(phase, worker): (self.phase, self.worker) = (phase.rawValue, worker)
        case let .stepFailed(phase, worker, reason): (self.phase, self.worker, self.reason) = (phase.rawValue, worker, reason)
        case let .progress(worker, done, total, keys, _):
            (self.worker, self.done, self.total, unit, self.keys) = (worker, done, total, "files", keys)
        case let .fileProblem(worker, file, reason, permanent):
            (self.worker, self.file, self.reason, self.permanent) = (worker, file, reason, permanent)
        case .summary(let worker, _): self.worker = worker
        case let .backlog(worker, pending, oldest): (self.worker, self.pending, since) = (worker, pending, oldest.map(Self.timestamp))
        case let .fileWarning(worker, file, warning): (self.worker, self.file, reason) = (worker, file, warning)
        case .check(let result): check = result
        case .waitingForApproval(let gate): self.gate = gate.rawValue
        case let .approvalUsed(gate, by): (self.gate, self.by) = (gate.rawValue, by)
        case .blocked(let reason): self.reason = reason
        case .steady, .finished, .aborted: break
        }
    }

    /// RFC 3339 in UTC with milliseconds, as log pipelines expect `@timestamp`.
    public static func timestamp(_ date: Date) -> String {
        format.format(date)
    }

    private static let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// One line of JSON (keys sorted, slashes unescaped); nil only if encoding failed.
    public func jsonLine() -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension MigrationEvent {
    /// The case's name: the event's `type` in JSON.
    public var typeName: String {
        String(describing: self).prefix { $0 != "(" }.description
    }

    /// How much attention it needs.
    public var level: EventRecord.Level {
        switch self {
        case .stepFailed, .blocked: .error
        case .stepRetrying, .fileWarning, .lockTakenOver: .warning
        case .fileProblem(_, _, _, let permanent): permanent ? .error : .warning
        case .check(let result): result.outcome == .passed || result.outcome == .pending ? .info : .warning
        default: .info
        }
    }
}
