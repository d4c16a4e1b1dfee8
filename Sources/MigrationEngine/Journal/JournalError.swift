import Foundation

/// Why the journal refused or could not do something.
public enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The run lock is held by another live process.
    case lockHeld(holder: LockHolder)
    /// This writer's lease was taken over; it must stop writing (fencing).
    case fenced(expected: Int64, current: Int64)
    /// The plan file is not the plan the run runs on (the one it started with, or the last adopted).
    case planChanged(started: String, now: String)
    /// The journal file does not exist (and was not to be created).
    case missing(path: String)
    /// A record's hash does not match its content or chain.
    case tampered(sequence: Int64)
    /// The database could not be used.
    case database(String)
    /// The journal's SQLite file fails its integrity check.
    case corrupt(DatabaseCorrupt)

    public var description: String {
        switch self {
        case .lockHeld(let holder):
            return "the run lock is held by \(holder) until \(holder.expires.formatted(.iso8601)); "
                + "wait for it, or if that process is gone on another host: enmigrate unlock PLAN --force"
        case let .fenced(expected, current):
            return "this process lost the run lock (fence \(expected), now \(current)); another process took over the run"
        case let .planChanged(started, now):
            return "the plan changed since the run started (the run's plan \(started), the file's \(now)); "
                + "`enmigrate plan PLAN` shows what changed, field by field; when every change is safe, `enmigrate adopt PLAN --by NAME` "
                + "takes it up; else restore the run's plan, or start a new run with a new journal"
        case .missing(let path):
            return "no journal at \(path): nothing has run yet"
        case .tampered(let sequence):
            return "journal record \(sequence) does not match its hash chain: the journal was changed outside enmigrate. Nothing is "
                + "changed until it is repaired: restore the journal from a backup (or find who edited it), then check it with "
                + "`enmigrate status PLAN --verify-journal`"
        case .database(let message):
            return "journal database: \(message)"
        case .corrupt(let corrupt):
            return "journal: \(corrupt)"
        }
    }
}

/// Who holds the run lock.
public struct LockHolder: Equatable, Sendable, Codable, CustomStringConvertible {
    public let user: String
    public let host: String
    public let pid: Int32
    public let fence: Int64
    public let expires: Date

    public init(user: String, host: String, pid: Int32, fence: Int64, expires: Date) {
        self.user = user
        self.host = host
        self.pid = pid
        self.fence = fence
        self.expires = expires
    }

    public var description: String { LockOwner(user: user, host: host, pid: pid).label }
}
