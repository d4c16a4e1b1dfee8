extension PlanDecoder {
    func decodeWorkers(_ node: PlanNode) -> WorkerSettings? {
        let defaults = WorkerSettings.defaults
        guard
            let map = reader.mapping(
                node, path: "/workers", known: ["interval", "concurrency", "retry", "stepTimeout", "fullVerification"],
                required: [])
        else { return nil }
        let interval = map.has("interval") ? reader.duration(map, "interval") : defaults.interval
        let concurrency = map.has("concurrency") ? reader.integer(map, "concurrency", range: 1...64) : defaults.concurrency
        let stepTimeout = map.has("stepTimeout") ? reader.duration(map, "stepTimeout") : defaults.stepTimeout
        let fullVerification = map.has("fullVerification") ? reader.duration(map, "fullVerification") : nil
        if map.has("fullVerification") && fullVerification == nil { return nil }
        var retry: RetryPolicy? = defaults.retry
        if let retryNode = map.node("retry") {
            retry = reader.mapping(retryNode, path: "/workers/retry", known: ["attempts", "backoff", "maxBackoff"], required: [])
                .flatMap { retryMap -> RetryPolicy? in
                    let attempts = retryMap.has("attempts") ? reader.integer(retryMap, "attempts", range: 1...100) : defaults.retry.attempts
                    let backoff = retryMap.has("backoff") ? reader.duration(retryMap, "backoff") : defaults.retry.backoff
                    let maxBackoff = retryMap.has("maxBackoff") ? reader.duration(retryMap, "maxBackoff") : defaults.retry.maxBackoff
                    guard let attempts, let backoff, let maxBackoff else { return nil }
                    if maxBackoff < backoff {
                        reader.report(
                            retryMap.valueLocation("maxBackoff"), "/workers/retry/maxBackoff", "bad-value",
                            "`maxBackoff` must not be shorter than `backoff`")
                        return nil
                    }
                    return RetryPolicy(attempts: attempts, backoff: backoff, maxBackoff: maxBackoff)
                }
        }
        guard let interval, let concurrency, let stepTimeout, let retry else { return nil }
        return WorkerSettings(
            interval: interval, concurrency: concurrency, retry: retry, stepTimeout: stepTimeout,
            fullVerification: fullVerification)
    }

    func decodeGates(_ node: PlanNode) -> Gates? {
        guard let map = reader.mapping(node, path: "/gates", known: ["keyRotation", "appUpdate", "decommission"], required: []) else {
            return nil
        }
        let keyRotation = map.node("keyRotation").map { decodeGate($0, path: "/gates/keyRotation", mustRequire: true) } ?? Gate.required
        let appUpdate = map.node("appUpdate").map { decodeGate($0, path: "/gates/appUpdate", mustRequire: false) } ?? Gate.required
        let decommission = map.node("decommission").map { decodeGate($0, path: "/gates/decommission", mustRequire: true) } ?? Gate.required
        guard let keyRotation, let appUpdate, let decommission else { return nil }
        return Gates(keyRotation: keyRotation, appUpdate: appUpdate, decommission: decommission)
    }

    private func decodeGate(_ node: PlanNode, path: String, mustRequire: Bool) -> Gate? {
        guard let map = reader.mapping(node, path: path, known: ["approval", "expiresAfter"], required: []) else { return nil }
        var required = true
        if let approval = reader.scalar(map, "approval") {
            switch approval {
            case "required": required = true
            case "none" where !mustRequire: required = false
            default:
                reader.report(
                    map.valueLocation("approval"), path + "/approval", "bad-value",
                    mustRequire
                        ? "`approval` must be `required` at this gate: it guards an irreversible step"
                        : "`approval` must be `required` or `none`, found `\(approval)`")
                return nil
            }
        }
        let expires = map.has("expiresAfter") ? reader.duration(map, "expiresAfter") : Gate.required.expiresAfter
        guard let expires else { return nil }
        return Gate(approvalRequired: required, expiresAfter: expires)
    }

    func decodeDecommission(_ node: PlanNode) -> DecommissionSettings? {
        guard let map = reader.mapping(node, path: "/decommission", known: ["quietPeriod"], required: []) else { return nil }
        let quiet = map.has("quietPeriod") ? reader.duration(map, "quietPeriod") : .seconds(72 * 3600)
        guard let quiet else { return nil }
        return DecommissionSettings(quietPeriod: quiet)
    }
}

extension WorkerSettings {
    static let defaults = WorkerSettings(
        interval: .seconds(300), concurrency: 4,
        retry: RetryPolicy(attempts: 5, backoff: .seconds(1), maxBackoff: .seconds(60)), stepTimeout: .seconds(600))
}

extension Gate {
    static let required = Gate(approvalRequired: true, expiresAfter: .seconds(72 * 3600))
}

extension Gates {
    static let defaults = Gates(keyRotation: .required, appUpdate: .required, decommission: .required)
}

extension PlanDecoder {
    /// `buckets:`: how `s3://` and `gs://` locations are reached, and the headers stored with objects.
    func decodeBuckets(_ node: PlanNode) -> BucketSettings? {
        guard let map = reader.mapping(node, path: "/buckets", known: ["s3", "gcs", "cacheControl"], required: []) else { return nil }
        var s3: BucketSettings.S3? = BucketSettings.S3()
        if let s3Node = map.node("s3") {
            s3 = reader.mapping(s3Node, path: "/buckets/s3", known: ["region", "profile", "endpoint", "pathStyle"], required: [])
                .flatMap { s3Map -> BucketSettings.S3? in
                    let region = s3Map.has("region") ? reader.string(s3Map, "region") : nil
                    let profile = s3Map.has("profile") ? reader.string(s3Map, "profile") : nil
                    let endpoint = s3Map.has("endpoint") ? reader.url(s3Map, "endpoint", schemes: ["https", "http"]) : nil
                    let pathStyle = s3Map.has("pathStyle") ? reader.boolean(s3Map, "pathStyle") : nil
                    if s3Map.has("region"), region == nil { return nil }
                    if s3Map.has("profile"), profile == nil { return nil }
                    if s3Map.has("endpoint"), endpoint == nil { return nil }
                    if s3Map.has("pathStyle"), pathStyle == nil { return nil }
                    return BucketSettings.S3(region: region, profile: profile, endpoint: endpoint, pathStyle: pathStyle)
                }
        }
        var gcs: BucketSettings.GCS? = BucketSettings.GCS()
        if let gcsNode = map.node("gcs") {
            gcs = reader.mapping(gcsNode, path: "/buckets/gcs", known: ["credentials", "endpoint"], required: [])
                .flatMap { gcsMap -> BucketSettings.GCS? in
                    let credentials = gcsMap.has("credentials") ? reader.filePath(gcsMap, "credentials") : nil
                    let endpoint = gcsMap.has("endpoint") ? reader.url(gcsMap, "endpoint", schemes: ["https", "http"]) : nil
                    if gcsMap.has("credentials"), credentials == nil { return nil }
                    if gcsMap.has("endpoint"), endpoint == nil { return nil }
                    return BucketSettings.GCS(credentials: credentials, endpoint: endpoint)
                }
        }
        var index: String? = BucketSettings.defaultIndexCacheControl
        var files: String? = BucketSettings.defaultFileCacheControl
        if let cacheNode = map.node("cacheControl") {
            guard let cacheMap = reader.mapping(cacheNode, path: "/buckets/cacheControl", known: ["index", "files"], required: []) else { return nil }
            if cacheMap.has("index") { index = reader.string(cacheMap, "index") }
            if cacheMap.has("files") { files = reader.string(cacheMap, "files") }
        }
        guard let s3, let gcs, let index, let files else { return nil }
        return BucketSettings(s3: s3, gcs: gcs, indexCacheControl: index, fileCacheControl: files)
    }
}

extension PlanDecoder {
    /// `monitoring: {address: HOST:PORT, statusPage: PATH}`, at least one of them.
    func decodeMonitoring(_ node: PlanNode) -> MonitoringSettings? {
        guard let map = reader.mapping(node, path: "/monitoring", known: ["address", "statusPage"], required: []) else { return nil }
        guard map.has("address") || map.has("statusPage") else {
            reader.report(
                map.location, "/monitoring", "missing-field", "`monitoring` names neither `address` nor `statusPage`",
                hint: "address: 127.0.0.1:9464 serves metrics; statusPage: status.html keeps a page fresh")
            return nil
        }
        var address: String?
        if map.has("address") {
            guard let text = reader.string(map, "address") else { return nil }
            guard MonitoringSettings.parse(text) != nil else {
                reader.report(
                    map.valueLocation("address"), "/monitoring/address", "bad-value", "`address` must be HOST:PORT, found `\(text)`",
                    hint: "127.0.0.1:9464, or 0.0.0.0:9464 for every interface")
                return nil
            }
            address = text
        }
        var page: String?
        if map.has("statusPage") {
            guard let path = reader.filePath(map, "statusPage") else { return nil }
            page = path
        }
        return MonitoringSettings(address: address, statusPage: page)
    }
}
