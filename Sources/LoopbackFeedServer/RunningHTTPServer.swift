import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird router served on an address until ``stop()``: started, its port known (the one
/// the system chose for port 0), shut down gracefully (cancelling the task instead trips a NIO
/// assertion). The loopback feed server and `apply`'s monitoring endpoint both run on it.
public final class RunningHTTPServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    private init(port: Int, task: Task<Void, any Error>, group: ServiceGroup) {
        self.port = port
        self.task = task
        self.group = group
    }

    /// Why the server did not start listening.
    public struct DidNotStart: Error, CustomStringConvertible {
        public let host: String
        public let port: Int
        public let reason: String
        public var description: String { "cannot listen on \(host):\(port): \(reason)" }
    }

    /// Serves `router` on `host:port` and returns once it accepts connections.
    public static func start(_ router: Router<BasicRequestContext>, host: String, port requested: Int, serverName: String) async throws -> RunningHTTPServer {
        var logger = Logger(label: serverName)
        // Stopping is the normal way out; only real failures are worth a line.
        logger.logLevel = .critical
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: requested), serverName: serverName),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var port = 0
        for await chosen in portStream {
            port = chosen
            break
        }
        guard port > 0 else {
            await group.triggerGracefulShutdown()
            let reason = await task.result
            throw DidNotStart(host: host, port: requested, reason: "\(reason)")
        }
        return RunningHTTPServer(port: port, task: task, group: group)
    }

    /// Shuts the server down and waits until it has.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
