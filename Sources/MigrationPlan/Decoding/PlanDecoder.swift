import Foundation

/// Builds a `MigrationPlan` from the node tree, field by field, collecting every problem.
struct PlanDecoder {
    let reader: PlanReader

    func decode(_ root: PlanNode) -> MigrationPlan? {
        guard
            let top = reader.mapping(
                root, path: "",
                known: [
                    "version", "name", "mode", "journal", "state", "national", "workers", "gates", "decommission", "allowInsecureHTTP",
                    "reports", "rotationRequest", "buckets", "hooks", "monitoring",
                ], required: ["version", "name", "mode", "state", "national"])
        else { return nil }

        let version = reader.integer(top, "version", range: 1...Int(Int32.max))
        if let version, version > MigrationPlan.supportedVersion {
            reader.report(
                top.valueLocation("version"), "/version", "unsupported-version",
                "plan version \(version) is newer than this enmigrate reads (version \(MigrationPlan.supportedVersion))",
                hint: "upgrade enmigrate, or write the plan in version \(MigrationPlan.supportedVersion)")
            return nil
        }
        let name = reader.string(top, "name")
        let mode = reader.choice(top, "mode", as: MigrationPlan.Mode.self)
        let journal = top.has("journal") ? reader.store(top, "journal") : .sqlite(path: reader.resolve(".enmigrate/journal.db"))
        let state = top.node("state").flatMap(decodeState)
        let national = top.node("national").flatMap(decodeNational)
        let workers = top.node("workers").map(decodeWorkers) ?? WorkerSettings.defaults
        let gates = top.node("gates").map(decodeGates) ?? Gates.defaults
        let decommission = top.node("decommission").map(decodeDecommission)
        let buckets = top.node("buckets").map(decodeBuckets) ?? BucketSettings.defaults
        let hooks = top.node("hooks").map(decodeHooks)
        let monitoring = top.node("monitoring").map(decodeMonitoring)
        let allowInsecureHTTP = top.has("allowInsecureHTTP") ? reader.boolean(top, "allowInsecureHTTP") : false
        let reports = top.has("reports") ? reader.filePath(top, "reports") : reader.resolve(".enmigrate/reports")
        let rotationRequest =
            top.has("rotationRequest")
            ? reader.filePath(top, "rotationRequest")
            : reader.resolve(".enmigrate/rotation-request")

        guard let version, let name, let mode, let journal, let state, let national, let workers, let gates, let buckets,
            let allowInsecureHTTP, let reports, let rotationRequest
        else { return nil }
        if case .some(nil) = hooks { return nil }
        if case .some(nil) = monitoring { return nil }
        var plan = MigrationPlan(
            version: version, name: name, mode: mode, journal: journal, state: state, national: national,
            workers: workers, gates: gates, decommission: decommission ?? nil, buckets: buckets,
            allowInsecureHTTP: allowInsecureHTTP, reports: reports, rotationRequest: rotationRequest, hooks: hooks ?? nil)
        plan.monitoring = monitoring ?? nil
        return plan
    }

    private func decodeState(_ node: PlanNode) -> StateSide? {
        guard
            let map = reader.mapping(
                node, path: "/state", known: ["region", "clientFeed", "secondFeed", "clientMirror", "keyStore"],
                required: ["region", "clientFeed", "secondFeed", "clientMirror"])
        else { return nil }
        let region = reader.string(map, "region")
        let clientFeed = map.node("clientFeed").flatMap { decodeFeed($0, path: "/state/clientFeed", allowOrigin: true) }
        let secondFeed = map.node("secondFeed").flatMap(decodeSecondFeed)
        let mirror = map.node("clientMirror").flatMap { decodeTarget($0, path: "/state/clientMirror") }
        let keyStore = map.has("keyStore") ? reader.store(map, "keyStore") : nil
        guard let region, let clientFeed, let secondFeed, let mirror else { return nil }
        if map.has("keyStore"), keyStore == nil { return nil }
        return StateSide(region: region, clientFeed: clientFeed, secondFeed: secondFeed, clientMirror: mirror, keyStore: keyStore)
    }

    private func decodeFeed(_ node: PlanNode, path: String, allowOrigin: Bool) -> FeedReference? {
        let known = allowOrigin ? ["index", "key", "origin"] : ["index", "key"]
        guard let map = reader.mapping(node, path: path, known: known, required: ["index", "key"]) else { return nil }
        let index = reader.url(map, "index", schemes: PlanReader.feedSchemes)
        let key = map.node("key").flatMap { decodeKey($0, path: path + "/key", kind: .publicKey) }
        let origin = map.has("origin") ? reader.url(map, "origin", schemes: PlanReader.feedSchemes) : nil
        guard let index, let key else { return nil }
        if map.has("origin"), origin == nil { return nil }
        return FeedReference(index: index, key: key, origin: origin)
    }

    enum KeyKind { case publicKey, privateKey }

    func decodeKey(_ node: PlanNode, path: String, kind: KeyKind, alsoKnown: [String] = []) -> KeyReference? {
        let fileKey = kind == .publicKey ? "publicKey" : "privateKey"
        guard
            let map = reader.mapping(
                node, path: path, known: ["id", "version", "publicKey", "privateKey"] + alsoKnown,
                required: ["id", "version", fileKey])
        else { return nil }
        let id = reader.string(map, "id")
        let version = reader.string(map, "version")
        let publicKey = map.has("publicKey") ? reader.filePath(map, "publicKey") : nil
        let privateKey = map.has("privateKey") ? reader.filePath(map, "privateKey") : nil
        guard let id, let version, (kind == .publicKey ? publicKey : privateKey) != nil else { return nil }
        return KeyReference(id: id, version: version, publicKey: publicKey, privateKey: privateKey)
    }

    private func decodeSecondFeed(_ node: PlanNode) -> SecondFeed? {
        let path = "/state/secondFeed"
        guard
            let map = reader.mapping(
                node, path: path, known: ["location", "root", "source", "period", "key"],
                required: ["location", "root", "source", "period"])
        else { return nil }
        let location = reader.url(map, "location", schemes: PlanReader.feedSchemes)
        let root = decodeRoot(map)
        let source = reader.choice(map, "source", as: SecondFeed.Source.self)
        let period = reader.duration(map, "period")
        var key: KeyReference?
        if let keyNode = map.node("key") {
            key = decodeKey(keyNode, path: path + "/key", kind: source == .external ? .publicKey : .privateKey)
            if key == nil { return nil }
        } else if let source, source != .external {
            reader.report(
                map.location, path + "/key", "missing-field",
                "`state/secondFeed` is missing `key`: source `\(source.rawValue)` signs files and needs a private key")
            return nil
        }
        guard let location, let root, let source, let period else { return nil }
        return SecondFeed(location: location, root: root, source: source, period: period, key: key)
    }

    private func decodeTarget(_ node: PlanNode, path: String) -> PublishTarget? {
        guard let map = reader.mapping(node, path: path, known: ["location", "root"], required: ["location", "root"]) else { return nil }
        let location = reader.url(map, "location", schemes: PlanReader.writableSchemes)
        let root = decodeRoot(map)
        guard let location, let root else { return nil }
        return PublishTarget(location: location, root: root)
    }

    func decodeRoot(_ map: PlanMapping) -> String? {
        guard let root = reader.string(map, "root") else { return nil }
        let segments = root.split(separator: "/", omittingEmptySubsequences: false)
        guard !root.hasPrefix("/"), !segments.contains(where: { $0.isEmpty || $0 == ".." || $0 == "." }) else {
            reader.report(
                map.valueLocation("root"), map.path + "/root", "bad-root",
                "`root`: `\(root)` must be a relative folder without `..`", hint: "for example exposureKeyExport-US-XX")
            return nil
        }
        return root
    }
}
