/// A plan built from the base fixture with every place the overlap rule compares set
/// explicitly: the feeds enmigrate reads and the folders it writes.
struct PlacesPlan {
    var clientIndex = "https://cdn.state.example/exposureKeyExport-US-XX/index.txt"
    var origin: String?
    var secondFeed = (location: "file:///srv/state/to-national/", root: "exposureKeyExport-US-XX")
    var source = "clientFeed"
    var mirror = (location: "file:///srv/state/cdn/", root: "exposureKeyExport-US-XX")
    var nationalIndex = "https://national.example/exposureKeyExport-US/index.txt"
    var export: (location: String, root: String)?

    var text: String {
        // An external second feed is checked with its public key; the others sign with the private one.
        let secondKey = source == "external" ? "publicKey: keys/state-to-national.pub.pem" : "privateKey: keys/state-to-national.key.pem"
        var lines = [
            "version: 1",
            "name: places",
            "mode: read-only",
            "journal: sqlite:state/journal.db",
            "state:",
            "  region: US-XX",
            "  clientFeed:",
            "    index: \(clientIndex)",
            "    key: { id: \"310\", version: \"v1\", publicKey: keys/state-client.pub.pem }",
        ]
        if let origin { lines.append("    origin: \(origin)") }
        lines += [
            "  secondFeed:",
            "    location: \(secondFeed.location)",
            "    root: \(secondFeed.root)",
            "    source: \(source)",
            "    period: 24h",
            "    key: { id: \"310\", version: \"v2\", \(secondKey) }",
            "  clientMirror:",
            "    location: \(mirror.location)",
            "    root: \(mirror.root)",
        ]
        if source == "keyStore" { lines.append("  keyStore: sqlite:state/state-keys.db") }
        lines += [
            "national:",
            "  feed:",
            "    index: \(nationalIndex)",
            "    key: { id: \"310\", version: \"v3\", publicKey: keys/national.pub.pem }",
            "  keyStore: sqlite:state/national-keys.db",
            "  trustedStateKeys:",
            "    - { id: \"310\", version: \"v2\", publicKey: keys/state-to-national.pub.pem }",
        ]
        if let export {
            lines += [
                "  export:",
                "    location: \(export.location)",
                "    root: \(export.root)",
                "    key: { id: \"310\", version: \"v3\", privateKey: keys/national.key.pem }",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The 1-based line of `key` in the mapping `section` (`secondFeed`, `clientMirror`, `export`,
    /// `clientFeed` or the national `feed`), where the rule puts a diagnostic about it.
    func line(_ section: String, _ key: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.drop { $0 == " " } }
        guard let start = lines.firstIndex(of: "\(section):"[...]) else { return nil }
        return lines[start...].firstIndex { $0.hasPrefix(key + ":") }.map { $0 + 1 }
    }
}
