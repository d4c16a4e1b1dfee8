import Foundation

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
        LockOwner(
            user: ProcessInfo.processInfo.environment["USER"] ?? NSUserName(),
            host: ProcessInfo.processInfo.hostName, pid: getpid())
    }

    /// How the run lock and import claims name a process: `user@host pid N`.
    public var label: String { "\(user)@\(host) pid \(pid)" }

    /// The owner a ``label`` names, or nil when the text is not one.
    public init?(label: String) {
        let parts = label.split(separator: " ")
        guard parts.count == 3, parts[1] == "pid", let pid = Int32(parts[2]), let at = parts[0].lastIndex(of: "@") else { return nil }
        self.init(user: String(parts[0][..<at]), host: String(parts[0][parts[0].index(after: at)...]), pid: pid)
    }

    /// Whether this owner is a process of `host` that no longer exists (anything else may be alive).
    public func isGone(onHost host: String, isAlive: (Int32) -> Bool = LockOwner.isAlive) -> Bool {
        self.host == host && !isAlive(pid)
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
    public func acquireLease(
        owner: LockOwner, now: Date, ttl: Duration,
        isAlive: @Sendable (Int32) -> Bool = LockOwner.isAlive
    ) throws(JournalError) -> (fence: Int64, tookOver: LockHolder?) {
        try guarded {
            try storage.updateLease { holder in
                if let holder, holder.expires > now, holder.pid != 0 {
                    let sameProcess = holder.host == owner.host && holder.pid == owner.pid
                    let deadHere = LockOwner(user: holder.user, host: holder.host, pid: holder.pid).isGone(onHost: owner.host, isAlive: isAlive)
                    guard sameProcess || deadHere else { throw JournalError.lockHeld(holder: holder) }
                }
                let fence = (holder?.fence ?? 0) + 1
                let lease = LockHolder(
                    user: owner.user, host: owner.host, pid: owner.pid, fence: fence,
                    expires: now.addingTimeInterval(Self.seconds(ttl)))
                let tookOver = holder.flatMap { $0.pid != 0 && $0.expires > now && $0.pid != owner.pid ? $0 : nil }
                return (lease, (fence, tookOver))
            }
        }
    }

    /// Extends the lease; fails with `fenced` when another process took it over.
    public func renewLease(fence: Int64, now: Date, ttl: Duration) throws(JournalError) {
        try guarded {
            try storage.updateLease { holder in
                guard let holder, holder.fence == fence else { throw JournalError.fenced(expected: fence, current: holder?.fence ?? 0) }
                return (holder.with(expires: now.addingTimeInterval(Self.seconds(ttl))), ())
            }
        }
    }

    /// Extends the lease `owner` holds, whatever its fence (a waiting or steady `apply` between
    /// passes); fails with `fenced` when the lease is another's or was released.
    public func renewLease(ownedBy owner: LockOwner, now: Date, ttl: Duration) throws(JournalError) {
        try guarded {
            try storage.updateLease { holder in
                guard let holder, holder.pid == owner.pid, holder.host == owner.host, holder.expires > now else {
                    throw JournalError.fenced(expected: 0, current: holder?.fence ?? 0)
                }
                return (holder.with(expires: now.addingTimeInterval(Self.seconds(ttl))), ())
            }
        }
    }

    /// Sleeps `duration` while keeping the lease `owner` holds: renewed every third of `ttl`, so
    /// a steady `apply` sleeping its interval (minutes) is never taken over as if it were gone.
    /// Throws `fenced` as soon as the lease is lost, and on cancellation.
    public func sleepKeepingLease(_ duration: Duration, owner: LockOwner, ttl: Duration, now: @Sendable () -> Date = Date.init) async throws {
        var left = duration
        let step = ttl / 3
        while left > .zero {
            let nap = min(left, step)
            try await Task.sleep(for: nap)
            left -= nap
            try renewLease(ownedBy: owner, now: now(), ttl: ttl)
        }
    }

    /// Gives the lease up (only if this fence still holds it).
    public func releaseLease(fence: Int64) throws(JournalError) {
        try guarded {
            try storage.updateLease { holder in
                (holder.flatMap { $0.fence == fence ? $0.released : nil }, ())
            }
        }
    }

    /// Gives the lease up if `owner` holds it.
    public func releaseLease(ownedBy owner: LockOwner) throws(JournalError) {
        try guarded {
            try storage.updateLease { holder in
                (holder.flatMap { $0.pid == owner.pid && $0.host == owner.host ? $0.released : nil }, ())
            }
        }
    }

    /// Breaks the lease whoever holds it (`unlock --force`); the holder's next write is fenced off.
    @discardableResult
    public func forceUnlock() throws(JournalError) -> LockHolder? {
        try guarded {
            try storage.updateLease { holder in (holder?.released, holder) }
        }
    }

    /// `unlock --force`: records who broke the lock (a `lock-broken` record naming the holder,
    /// with this journal's attribution, at the run's position as its last record left it), then
    /// releases it. Returns the holder, or nil when nobody held it (nothing is recorded).
    public func breakLock(at now: Date) throws(JournalError) -> LockHolder? {
        guard let held = try guarded({ try storage.loadLease() }), held.pid != 0 else { return try forceUnlock() }
        if let run = try run(), let last = try lastRecord() {
            let machine = RunStateMachine.unmoved(run: run, last: last)
            try append(.lockBroken, machine: machine, detail: ["from": "\(held)"], fence: 0, at: now)
        }
        return try forceUnlock()
    }

    /// The lease holder, if the lease is held and not expired at `now`.
    public func holder(at now: Date) throws(JournalError) -> LockHolder? {
        try guarded { try storage.loadLease().flatMap { $0.pid != 0 && $0.expires > now ? $0 : nil } }
    }

    /// `duration` as the seconds Foundation's dates and sleeps take.
    public static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}

extension LockHolder {
    /// The same lease with another expiry.
    func with(expires: Date) -> LockHolder {
        LockHolder(user: user, host: host, pid: pid, fence: fence, expires: expires)
    }

    /// The lease given up: no process, expired; the fence stays so the next holder's is higher.
    var released: LockHolder {
        LockHolder(user: user, host: host, pid: 0, fence: fence, expires: Date(timeIntervalSince1970: 0))
    }
}
