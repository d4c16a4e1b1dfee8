import Dispatch
import Foundation

/// Runs `body` so that SIGINT or SIGTERM cancels it instead of killing the process: the engine
/// stops at the next step boundary (or cancels the step in flight), the journal keeps what was
/// done, and the run resumes later.
enum InterruptHandling {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                printError("interrupted: stopping at the next step boundary; the run stays resumable")
                task.cancel()
            }
            source.resume()
            return source
        }
        defer {
            sources.forEach { $0.cancel() }
            [SIGINT, SIGTERM].forEach { signal($0, SIG_DFL) }
        }
        return try await task.value
    }
}
