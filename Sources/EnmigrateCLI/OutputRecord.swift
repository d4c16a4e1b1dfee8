import Synchronization

/// What this process has printed so far: whether anything reached standard output, and the
/// last error lines. A verb that fails with `--json` after printing only to standard error
/// still gives a script one JSON document (see ``EngineErrors/run(json:_:)``).
final class OutputRecord: Sendable {
    static let shared = OutputRecord()

    private struct State {
        var wroteStandardOutput = false
        var errors: [String] = []
    }

    private let state = Mutex(State())
    /// Error lines kept: enough for any verb's message, bounded for a long-running apply.
    private static let keptErrors = 50

    func printedToStandardOutput() {
        state.withLock { $0.wroteStandardOutput = true }
    }

    func printedError(_ message: String) {
        state.withLock {
            $0.errors.append(message)
            if $0.errors.count > Self.keptErrors { $0.errors.removeFirst($0.errors.count - Self.keptErrors) }
        }
    }

    /// Whether nothing has reached standard output yet.
    var standardOutputEmpty: Bool { state.withLock { !$0.wroteStandardOutput } }

    /// The error lines printed so far, oldest first.
    var errors: [String] { state.withLock { $0.errors } }
}
