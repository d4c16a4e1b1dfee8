import CYaml

/// The running count of ``PlanYAMLCostCheck`` over one event stream: alias uses, the open
/// mappings and lists, and the values so far, each alias counted as the values its anchor
/// stands for (known once the anchored value is complete), so nothing is ever expanded.
struct PlanYAMLCostCounter {
    let limits: PlanYAMLLimits
    private var aliases = 0
    private var nodes = 0
    /// Each open mapping or list: the value count before it began, and its anchor.
    private var open: [(nodesBefore: Int, anchor: String?)] = []
    /// The values each anchor stands for, itself included.
    private var anchored: [String: Int] = [:]

    init(limits: PlanYAMLLimits) {
        self.limits = limits
    }

    mutating func count(_ event: yaml_event_t) -> PlanYAMLCostCheck.Exceeded? {
        let location = SourceLocation(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            // Anchors do not reach from one document into the next.
            anchored = [:]
        case YAML_SCALAR_EVENT:
            if let anchor = Self.name(event.data.scalar.anchor) { anchored[anchor] = 1 }
            return add(1, at: location, alias: nil)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let anchor = Self.name(
                event.type == YAML_SEQUENCE_START_EVENT
                    ? event.data.sequence_start.anchor
                    : event.data.mapping_start.anchor)
            open.append((nodes, anchor))
            guard open.count <= limits.maxDepth else {
                return PlanYAMLCostCheck.Exceeded(
                    limit: .depth(limits.maxDepth), location: location,
                    message: "the plan nests mappings and lists more than \(limits.maxDepth) levels deep",
                    hint: "a plan nests four levels deep; look for unbalanced brackets")
            }
            return add(1, at: location, alias: nil)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            if let closed = open.popLast(), let anchor = closed.anchor { anchored[anchor] = nodes - closed.nodesBefore }
        case YAML_ALIAS_EVENT:
            aliases += 1
            let name = Self.name(event.data.alias.anchor) ?? ""
            guard aliases <= limits.maxAliases else {
                return PlanYAMLCostCheck.Exceeded(
                    limit: .aliases(limits.maxAliases), location: location,
                    message: "the plan has more than \(limits.maxAliases) alias uses; `*\(name)` here is one too many",
                    hint: "a plan needs few aliases, if any: write the values out")
            }
            // An undefined alias stands for nothing here; Yams reports it.
            return add(anchored[name] ?? 0, at: location, alias: name)
        default:
            break
        }
        return nil
    }

    /// Adds `count` values; past the limit, says so at `location`.
    private mutating func add(_ count: Int, at location: SourceLocation, alias: String?) -> PlanYAMLCostCheck.Exceeded? {
        nodes += count
        guard nodes > limits.maxNodes else { return nil }
        let what = alias.map { "`*\($0)` here stands for \(count) values and takes" } ?? "this value takes"
        return PlanYAMLCostCheck.Exceeded(
            limit: .nodes(limits.maxNodes), location: location,
            message: "\(what) the plan past \(limits.maxNodes) values with every alias expanded",
            hint: alias == nil
                ? "a plan has a few hundred values; check that this file is the plan"
                : "aliases of aliases multiply (an alias bomb); write the values out instead")
    }

    private static func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        anchor.map { String(cString: $0) }
    }
}
