import ArgumentParser

/// Every exit code enmigrate uses, in one place, so scripts can rely on them.
///
/// 0 done / nothing to do · 1 error · 2 changes pending (dry run) · 3 blocked by a precondition ·
/// 4 waiting for approval · 5 lock held by another run · 6 plan changed since the run started ·
/// 7 needs repair. Usage errors keep ArgumentParser's 64.
public enum EnmigrateExit {
    /// Done, or nothing to do.
    public static let done = ExitCode(0)
    /// A failure; the message says what and where.
    public static let error = ExitCode(1)
    /// A dry run found changes to make.
    public static let changesPending = ExitCode(2)
    /// A precondition check failed on data that exists.
    public static let blocked = ExitCode(3)
    /// The run waits at a gate for an approval.
    public static let waitingForApproval = ExitCode(4)
    /// Another process holds the run lock.
    public static let lockHeld = ExitCode(5)
    /// The plan changed since the run started.
    public static let planChanged = ExitCode(6)
    /// The journal or a store needs a human to repair it.
    public static let needsRepair = ExitCode(7)
}
