import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs `body` as a service under swift-service-lifecycle, so that SIGINT, SIGTERM or SIGHUP
/// stops it gracefully instead of killing the process: the engine stops at the next step
/// boundary (or abandons the step in flight, which the journal already names, so it runs again
/// on resume), the journal keeps what was done, and the command exits 0 — a stop under systemd
/// or Kubernetes is not a failure.
///
/// Two services in one ``ServiceGroup``: the work, and the stop signals. The first stop signal
/// shuts the group down gracefully, which cancels the work; the work ending (done or failed)
/// shuts the group down too, which ends the signal watch.
enum InterruptHandling {
    /// Ended by a stop signal: the run is intact and resumable.
    struct Stopped: Error, CustomStringConvertible {
        let signal: UnixSignal

        var name: String { "\(signal)" }

        var description: String {
            "stopped by \(name): the journal holds every finished step and the run stays resumable (enmigrate apply or resume)"
        }
    }

    static let stopSignals: [UnixSignal] = [.sigint, .sigterm, .sighup]

    /// Runs `body` until it ends or a stop signal cancels it; `stopping` is what the first
    /// signal makes it say on standard error (a run's words by default).
    static func run<T: Sendable>(
        stopping: String = "interrupted: stopping at the next step boundary; the run stays resumable",
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let work = Work(body: body)
        let stops = StopSignals(message: stopping)
        var logger = Logger(label: "enmigrate-lifecycle")
        // The group's own lines (service started, shutting down) are not the operator's business.
        logger.logLevel = .critical
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: stops, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: work, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: logger))
        try await group.run()
        let outcome = try work.outcome()
        // Whatever the cancelled step threw (a cancellation, or a failure it caused), the stop
        // was asked for: the journal is intact.
        if let signal = stops.received { throw Stopped(signal: signal) }
        return try outcome.get()
    }

    /// The command's work: cancelled when the group shuts down gracefully (a stop signal).
    private final class Work<T: Sendable>: Service, Sendable {
        let body: @Sendable () async throws -> T
        private let result = Mutex<Result<T, any Error>?>(nil)

        init(body: @escaping @Sendable () async throws -> T) {
            self.body = body
        }

        func run() async throws {
            let body = self.body
            let ended: Result<T, any Error>
            do { ended = .success(try await cancelWhenGracefulShutdown { try await body() }) } catch { ended = .failure(error) }
            result.withLock { $0 = ended }
        }

        struct NeverRan: Error, CustomStringConvertible {
            var description: String { "the command was stopped before it started" }
        }

        func outcome() throws -> Result<T, any Error> {
            guard let ended = result.withLock({ $0 }) else { throw NeverRan() }
            return ended
        }
    }

    /// Waits for the first stop signal; says so on standard error and ends, which shuts the
    /// group down gracefully. Ends without one when the work is done.
    private final class StopSignals: Service, Sendable {
        private let first = Mutex<UnixSignal?>(nil)
        let message: String

        init(message: String) {
            self.message = message
        }

        var received: UnixSignal? { first.withLock { $0 } }

        func run() async throws {
            let signals = await UnixSignalsSequence(trapping: InterruptHandling.stopSignals)
            for await signal in signals.cancelOnGracefulShutdown() {
                first.withLock { $0 = $0 ?? signal }
                printError(message)
                return
            }
        }
    }
}
