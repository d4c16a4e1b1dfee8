/// `monitoring:`: where a long-running `apply` serves its metrics and health probes, and the
/// status page it keeps fresh.
public struct MonitoringSettings: Sendable, Hashable, Encodable {
    /// `HOST:PORT` for `/metrics`, `/healthz` and `/readyz` (`127.0.0.1:9464`; `0.0.0.0:9464` for
    /// every interface, as a Kubernetes probe needs). `apply --metrics-address` overrides it.
    public let address: String?
    /// Absolute path of the HTML status page `apply` writes after every pass.
    public let statusPage: String?

    public init(address: String?, statusPage: String? = nil) {
        self.address = address
        self.statusPage = statusPage
    }

    /// The host and port of `address`, or nil when it is not `HOST:PORT` with a port in 0…65535
    /// (an IPv6 host in brackets).
    public static func parse(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
