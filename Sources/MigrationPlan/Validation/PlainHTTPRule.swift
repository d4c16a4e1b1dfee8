import Foundation

/// `http://` is for loopback only, unless the plan sets `allowInsecureHTTP: true`.
struct PlainHTTPRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        guard !plan.allowInsecureHTTP else { return }
        var urls = plan.urls
        if let endpoint = plan.buckets.s3.endpoint { urls.append(("/buckets/s3/endpoint", endpoint)) }
        if let endpoint = plan.buckets.gcs.endpoint { urls.append(("/buckets/gcs/endpoint", endpoint)) }
        for (index, hook) in (plan.hooks ?? []).enumerated() {
            if case .webhook(let url) = hook.action { urls.append(("/hooks/\(index)/webhook", url)) }
        }
        for (path, url) in urls where url.scheme == "http" && !Self.isLoopback(url.host ?? "") {
            context.report(
                path, "insecure-http", "`\(url.absoluteString)` uses plain http to a host that is not loopback",
                hint: "use https, or set allowInsecureHTTP: true if this network is trusted")
        }
    }

    static func isLoopback(_ host: String) -> Bool { LoopbackHost.contains(host) }
}

/// Which host names are this machine: what plain http and rehearsal emulators may use.
public enum LoopbackHost {
    public static func contains(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
