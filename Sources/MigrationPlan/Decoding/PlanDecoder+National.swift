import Foundation

extension PlanDecoder {
    func decodeNational(_ node: PlanNode) -> NationalSide? {
        guard
            let map = reader.mapping(
                node, path: "/national", known: ["region", "feed", "keyStore", "trustedStateKeys", "export", "importedKeys"],
                required: ["feed", "keyStore", "trustedStateKeys"])
        else { return nil }
        let region = map.has("region") ? reader.string(map, "region") : nil
        let feed = map.node("feed").flatMap(decodeNationalFeed)
        let keyStore = reader.store(map, "keyStore")
        let trusted = map.node("trustedStateKeys").flatMap(decodeTrustedKeys)
        let export = map.node("export").map(decodeExport)
        let imported = map.node("importedKeys").map(decodeImportedKeys) ?? ImportedKeys()
        guard let feed, let keyStore, let trusted, let imported else { return nil }
        if map.has("region"), region == nil { return nil }
        if let export, export == nil { return nil }
        return NationalSide(
            region: region, feed: feed, keyStore: keyStore, trustedStateKeys: trusted, export: export ?? nil,
            importedKeys: imported)
    }

    private func decodeImportedKeys(_ node: PlanNode) -> ImportedKeys? {
        let path = "/national/importedKeys"
        guard
            let map = reader.mapping(
                node, path: path, known: ["region", "appPackageName", "traveler", "exportImportIndex", "exportImportRoot"],
                required: [])
        else { return nil }
        let region = map.has("region") ? reader.string(map, "region") : nil
        let app = map.has("appPackageName") ? reader.string(map, "appPackageName") : "exportimport"
        let traveler = map.has("traveler") ? reader.boolean(map, "traveler") : false
        let index = map.has("exportImportIndex") ? reader.url(map, "exportImportIndex", schemes: ["https", "http", "file"]) : nil
        let root = map.has("exportImportRoot") ? reader.url(map, "exportImportRoot", schemes: ["https", "http", "file"]) : nil
        if map.has("region"), region == nil { return nil }
        if map.has("exportImportIndex"), index == nil { return nil }
        if map.has("exportImportRoot"), root == nil { return nil }
        guard let app, let traveler else { return nil }
        // The reference server lower-cases the name when it reads it; storing it lower-cased
        // keeps what it reads and what enmigrate wrote the same.
        if app != app.lowercased() || app.isEmpty {
            reader.report(
                map.valueLocation("appPackageName"), path + "/appPackageName", "bad-value",
                "`national/importedKeys/appPackageName` must be a non-empty lower-case name, found \"\(app)\"",
                hint: "write \"\(app.lowercased())\"; the reference server reads the column lower-cased")
            return nil
        }
        return ImportedKeys(region: region, appPackageName: app, traveler: traveler, exportImportIndex: index, exportImportRoot: root)
    }

    private func decodeNationalFeed(_ node: PlanNode) -> FeedReference? {
        guard let map = reader.mapping(node, path: "/national/feed", known: ["index", "key"], required: ["index", "key"]) else { return nil }
        let index = reader.url(map, "index", schemes: PlanReader.feedSchemes)
        let key = map.node("key").flatMap { decodeKey($0, path: "/national/feed/key", kind: .publicKey) }
        guard let index, let key else { return nil }
        return FeedReference(index: index, key: key, origin: nil)
    }

    private func decodeTrustedKeys(_ node: PlanNode) -> [TrustedStateKey]? {
        let path = "/national/trustedStateKeys"
        guard case let .sequence(items, location) = node else {
            reader.report(node.location, path, "wrong-type", "`national/trustedStateKeys` must be a list, found \(node.kindName)")
            return nil
        }
        guard !items.isEmpty else {
            reader.report(
                location, path, "missing-field", "`national/trustedStateKeys` lists no key",
                hint: "list the public key the second feed is signed with")
            return nil
        }
        let keys = items.enumerated().map { index, item -> TrustedStateKey? in
            let itemPath = "\(path)/\(index)"
            guard let key = decodeKey(item, path: itemPath, kind: .publicKey, alsoKnown: ["from", "thru"]),
                let map = trustedWindowMapping(item, path: itemPath)
            else { return nil }
            let from = map.has("from") ? reader.date(map, "from") : nil
            let thru = map.has("thru") ? reader.date(map, "thru") : nil
            if map.has("from"), from == nil { return nil }
            if map.has("thru"), thru == nil { return nil }
            if let from, let thru, thru <= from {
                reader.report(map.valueLocation("thru"), itemPath + "/thru", "bad-window", "`thru` must be after `from`")
                return nil
            }
            return TrustedStateKey(key: key, from: from, thru: thru)
        }
        guard keys.allSatisfy({ $0 != nil }) else { return nil }
        return keys.compactMap { $0 }
    }

    /// The validity window fields sit beside the key fields in one mapping.
    private func trustedWindowMapping(_ node: PlanNode, path: String) -> PlanMapping? {
        guard case let .mapping(entries, location) = node else { return nil }
        var fields: [String: PlanNode.Entry] = [:]
        for entry in entries where entry.key == "from" || entry.key == "thru" { fields[entry.key] = entry }
        return PlanMapping(path: path, location: location, fields: fields)
    }

    private func decodeExport(_ node: PlanNode) -> NationalExport? {
        let path = "/national/export"
        guard
            let map = reader.mapping(
                node, path: path, known: ["location", "root", "key", "maxKeysPerFile"],
                required: ["location", "root", "key"])
        else { return nil }
        let location = reader.url(map, "location", schemes: PlanReader.writableSchemes)
        let root = decodeRoot(map)
        let key = map.node("key").flatMap { decodeKey($0, path: path + "/key", kind: .privateKey) }
        let maxKeys = map.has("maxKeysPerFile") ? reader.integer(map, "maxKeysPerFile", range: 1...750_000) : 17_000
        guard let location, let root, let key, let maxKeys else { return nil }
        return NationalExport(location: location, root: root, key: key, maxKeysPerFile: maxKeys)
    }
}
