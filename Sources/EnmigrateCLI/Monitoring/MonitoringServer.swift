import Foundation
import Hummingbird
import LoopbackFeedServer
import MigrationPlan

/// The HTTP endpoint of a long-running `apply` (`--metrics-address HOST:PORT`): `/metrics` in
/// the Prometheus text format, `/healthz` (the process makes progress) and `/readyz` (its last
/// pass did not fail or block) for liveness and readiness probes. Read-only; no key material.
final class MonitoringServer: Sendable {
    /// The port it listens on (the one chosen when the address said 0).
    let host: String
    private let server: RunningHTTPServer
    var port: Int { server.port }

    private init(host: String, server: RunningHTTPServer) {
        self.host = host
        self.server = server
    }

    /// Why the address cannot be served.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `HOST:PORT` (`0.0.0.0:9464`, `127.0.0.1:0`, `[::1]:9464`).
    static func parse(_ address: String) throws -> (host: String, port: Int) {
        guard let parsed = MonitoringSettings.parse(address) else {
            throw Failure(description: "metrics address \(address): write HOST:PORT, e.g. 127.0.0.1:9464 or 0.0.0.0:9464 (0.0.0.0 for every interface)")
        }
        return parsed
    }

    /// Starts serving `metrics`; returns once the server accepts connections.
    static func start(address: String, metrics: RunMetrics, stalledAfter: TimeInterval) async throws -> MonitoringServer {
        let (host, requested) = try parse(address)
        let router = Router()
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
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
        do {
            return MonitoringServer(host: host, server: try await RunningHTTPServer.start(router, host: host, port: requested, serverName: "enmigrate"))
        } catch let failure as RunningHTTPServer.DidNotStart {
            throw Failure(description: "metrics address \(address): \(failure)")
        }
    }

    func stop() async {
        await server.stop()
    }
}
