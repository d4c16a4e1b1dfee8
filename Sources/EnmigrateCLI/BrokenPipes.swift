import Foundation

/// Writing into a pipe whose reader is gone must be an error the writer handles, never the end
/// of the process: a hook that exits without reading its input, or a log reader that went away,
/// would otherwise kill `apply` with SIGPIPE in the middle of a step (the default action).
enum BrokenPipes {
    /// Ignores SIGPIPE for the whole process, once: writes into a closed pipe fail with EPIPE.
    static let ignored: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()
}
