import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP endpoint of a long-running `apply` (`--metrics-address HOST:PORT`): `/metrics` in
/// the Prometheus text format, `/healthz` (the process makes progress) and `/readyz` (its last
/// pass did not fail or block) for liveness and readiness probes. Read-only; no key material.
final class MonitoringServer: Sendable {
    /// The port it listens on (the one chosen when the address said 0).
    let port: Int
    let host: String
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    private init(host: String, port: Int, task: Task<Void, any Error>, group: ServiceGroup) {
        self.host = host
        self.port = port
        self.task = task
        self.group = group
    }

    /// Why the address cannot be served.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `HOST:PORT` (`0.0.0.0:9464`, `127.0.0.1:0`, `[::1]:9464`).
    static func parse(_ address: String) throws -> (host: String, port: Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw Failure(description: "--metrics-address \(address): write HOST:PORT, e.g. 127.0.0.1:9464 or 0.0.0.0:9464")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw Failure(description: "--metrics-address \(address): names no host (0.0.0.0 for every interface)") }
        return (host, port)
    }

    /// Starts serving `metrics`; returns once the server accepts connections.
    static func start(address: String, metrics: RunMetrics, stalledAfter: TimeInterval) async throws -> MonitoringServer {
        let (host, requested) = try parse(address)
        let router = Router()
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        router.get("healthz") { _, _ in
            let (ok, text) = metrics.health(stalledAfter: stalledAfter)
            return Response(status: ok ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("readyz") { _, _ in
            let (ok, text) = metrics.readiness()
            return Response(status: ok ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        var logger = Logger(label: "enmigrate-monitoring")
        logger.logLevel = .critical
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: requested), serverName: "enmigrate"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
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
            throw Failure(description: "--metrics-address \(address): cannot listen there (\(reason))")
        }
        return MonitoringServer(host: host, port: port, task: task, group: group)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
