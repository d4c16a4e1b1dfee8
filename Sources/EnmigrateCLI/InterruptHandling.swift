import Dispatch
import Foundation
import Synchronization

/// Runs `body` so that SIGINT, SIGTERM or SIGHUP stops it cleanly instead of killing the
/// process: the engine stops at the next step boundary (or abandons the step in flight, which
/// the journal already names, so it runs again on resume), the journal keeps what was done, and
/// the command exits 0 — a stop under systemd or Kubernetes is not a failure.
enum InterruptHandling {
    /// Ended by a stop signal: the run is intact and resumable.
    struct Stopped: Error, CustomStringConvertible {
        let signal: Int32

        var name: String {
            switch signal {
            case SIGINT: "SIGINT"
            case SIGTERM: "SIGTERM"
            case SIGHUP: "SIGHUP"
            default: "signal \(signal)"
            }
        }

        var description: String {
            "stopped by \(name): the journal holds every finished step and the run stays resumable (enmigrate apply or resume)"
        }
    }

    static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let received = Mutex<Int32?>(nil)
        let task = Task { try await body() }
        let sources = stopSignals.map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let first = received.withLock { current in
                    defer { current = current ?? number }
                    return current == nil
                }
                if first { printError("interrupted: stopping at the next step boundary; the run stays resumable") }
                task.cancel()
            }
            source.resume()
            return source
        }
        defer {
            sources.forEach { $0.cancel() }
            stopSignals.forEach { signal($0, SIG_DFL) }
        }
        do {
            return try await task.value
        } catch {
            // Whatever the cancelled step threw (a cancellation, or a failure it caused), the
            // stop was asked for: the journal is intact.
            if let number = received.withLock({ $0 }) { throw Stopped(signal: number) }
            throw error
        }
    }
}
