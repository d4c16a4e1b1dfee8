import Foundation

/// Which HTTP redirects a feed read follows. A redirect is a server's word on where a file is;
/// followed blindly it would take an `https` feed to plain http on any host, past the plan's
/// "plain http only to loopback" rule. So a redirect is followed only to the same scheme or a
/// stronger one: https → https, http → https, and http → http only to a loopback host (or
/// anywhere when the plan sets `allowInsecureHTTP`); never https → http, whatever the plan says.
/// At most ``maxRedirects`` in a row.
public struct RedirectRule: Sendable, Equatable {
    /// Redirects followed in a row before the read fails.
    public var maxRedirects: Int
    /// The plan's `allowInsecureHTTP`: plain http to any host (but never down from https).
    public var allowInsecureHTTP: Bool

    public init(maxRedirects: Int = 5, allowInsecureHTTP: Bool = false) {
        self.maxRedirects = maxRedirects
        self.allowInsecureHTTP = allowInsecureHTTP
    }

    /// Why the redirect from `from` to `to` is not followed, or nil when it is.
    public func refusal(from: URL, to: URL) -> String? {
        let source = from.scheme?.lowercased() ?? "", target = to.scheme?.lowercased() ?? ""
        guard target == "https" || target == "http" else { return "a redirect leaves http(s) (`\(target)`)" }
        if to.user != nil || to.password != nil { return "a redirect carries credentials" }
        if source == "https", target == "http" { return "a redirect from https to plain http is never followed" }
        if target == "http", !allowInsecureHTTP, !Self.isLoopback(to.host ?? "") {
            return "plain http only to loopback (set allowInsecureHTTP: true if this network is trusted)"
        }
        return nil
    }

    /// The plan's notion of loopback (`PlainHTTPRule`): `localhost`, `127.*`, `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
