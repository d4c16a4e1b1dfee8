import Foundation
import GRDB

/// Who is asking for the run lock.
public struct LockOwner: Sendable, Equatable {
    public let user: String
    public let host: String
    public let pid: Int32

    public init(user: String, host: String, pid: Int32) {
        self.user = user
        self.host = host
        self.pid = pid
    }

    /// This process.
    public static var current: LockOwner {
        LockOwner(user: ProcessInfo.processInfo.environment["USER"] ?? NSUserName(),
                  host: ProcessInfo.processInfo.hostName, pid: getpid())
    }

    /// Whether a process with `pid` exists on this host.
    public static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}

extension Journal {
    /// Takes the run lock: a lease with an expiry and a fencing number that grows with every
    /// new holder. A lease held by a process on this host that no longer exists is taken over
    /// at once; a live holder's lease only after it expires.
    /// - Returns: the fence to pass to every write, and the holder taken over, if any.
    public func acquireLease(owner: LockOwner, now: Date, ttl: Duration,
                             isAlive: @Sendable (Int32) -> Bool = LockOwner.isAlive) throws(JournalError) -> (fence: Int64, tookOver: LockHolder?) {
        try write { db in
            let holder = try Self.holder(db)
            if let holder, holder.expires > now, holder.pid != 0 {
                let sameProcess = holder.host == owner.host && holder.pid == owner.pid
                let deadHere = holder.host == owner.host && !isAlive(holder.pid)
                guard sameProcess || deadHere else { throw JournalError.lockHeld(holder: holder) }
            }
            let fence = (holder?.fence ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO lease (id, user, host, pid, fence, expires_at) VALUES (1, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET user = excluded.user, host = excluded.host, pid = excluded.pid,
                    fence = excluded.fence, expires_at = excluded.expires_at
                """, arguments: [owner.user, owner.host, owner.pid, fence, now.addingTimeInterval(Self.seconds(ttl))])
            let tookOver = holder.flatMap { $0.pid != 0 && $0.expires > now && $0.pid != owner.pid ? $0 : nil }
            return (fence, tookOver)
        }
    }

    /// Extends the lease; fails with `fenced` when another process took it over.
    public func renewLease(fence: Int64, now: Date, ttl: Duration) throws(JournalError) {
        try write { db in
            let current = try Int64.fetchOne(db, sql: "SELECT fence FROM lease WHERE id = 1") ?? 0
            guard current == fence else { throw JournalError.fenced(expected: fence, current: current) }
            try db.execute(sql: "UPDATE lease SET expires_at = ? WHERE id = 1", arguments: [now.addingTimeInterval(Self.seconds(ttl))])
        }
    }

    /// Gives the lease up (only if this fence still holds it).
    public func releaseLease(fence: Int64) throws(JournalError) {
        try write { db in
            try db.execute(sql: "UPDATE lease SET pid = 0, expires_at = ? WHERE id = 1 AND fence = ?",
                           arguments: [Date(timeIntervalSince1970: 0), fence])
        }
    }

    /// Gives the lease up if `owner` holds it.
    public func releaseLease(ownedBy owner: LockOwner) throws(JournalError) {
        try write { db in
            try db.execute(sql: "UPDATE lease SET pid = 0, expires_at = ? WHERE id = 1 AND pid = ? AND host = ?",
                           arguments: [Date(timeIntervalSince1970: 0), owner.pid, owner.host])
        }
    }

    /// Breaks the lease whoever holds it (`unlock --force`); the holder's next write is fenced off.
    @discardableResult
    public func forceUnlock() throws(JournalError) -> LockHolder? {
        try write { db in
            let holder = try Self.holder(db)
            try db.execute(sql: "UPDATE lease SET pid = 0, expires_at = ? WHERE id = 1", arguments: [Date(timeIntervalSince1970: 0)])
            return holder
        }
    }

    /// The lease holder, if the lease is held and not expired at `now`.
    public func holder(at now: Date) throws(JournalError) -> LockHolder? {
        try read { db in try Self.holder(db).flatMap { $0.pid != 0 && $0.expires > now ? $0 : nil } }
    }

    private static func holder(_ db: Database) throws -> LockHolder? {
        try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1").map {
            LockHolder(user: $0["user"], host: $0["host"], pid: $0["pid"], fence: $0["fence"], expires: $0["expires_at"])
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
