// libyaml, the C parser Yams is built on (a module of the Yams package, reachable through its
// product). Yams keeps its event API private and composes a whole tree at once, hashing every
// mapping key on the way, so an aliased key is expanded inside Yams; only the event stream lets
// the plan's cost be counted before anything is composed.
import CYaml

/// Counts what a plan's YAML would cost — bytes, alias uses, nesting and the values it
/// stands for once every alias is expanded — from libyaml's event stream, without building a
/// tree, and stops at the first limit passed. Linear in the text: an alias is counted by the
/// size its anchor had, not expanded.
enum PlanYAMLCostCheck {
    /// The first limit the text passed, and where.
    struct Exceeded: Error, Equatable {
        let limit: PlanYAMLLimits.Limit
        let location: SourceLocation
        let message: String
        let hint: String
    }

    /// The first limit `text` passes, or nil when it stays within them all. YAML that does
    /// not parse is nil too, so Yams reports the syntax error as it does for any plan.
    static func check(_ text: String, limits: PlanYAMLLimits = .plan) -> Exceeded? {
        let bytes = Array(text.utf8)
        guard bytes.count <= limits.maxBytes else { return tooLarge(limits) }
        // libyaml asserts on an empty input; Yams reports an empty plan itself.
        guard !bytes.isEmpty else { return nil }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { buffer -> Exceeded? in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var counter = PlanYAMLCostCounter(limits: limits)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                let type = event.type
                let exceeded = counter.count(event)
                yaml_event_delete(&event)
                if let exceeded { return exceeded }
                if type == YAML_STREAM_END_EVENT { return nil }
            }
            return nil
        }
    }

    /// A plan of more than `limits.maxBytes`, said at its start.
    static func tooLarge(_ limits: PlanYAMLLimits) -> Exceeded {
        Exceeded(
            limit: .bytes(limits.maxBytes), location: SourceLocation(line: 1, column: 1),
            message: "the plan is larger than \(size(limits.maxBytes)), the most a plan may be",
            hint: "a plan is a few KiB of YAML; check that this file is the plan")
    }

    /// `1 MiB`, `64 KiB` or `100 bytes`, for the size message.
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
