/// What loading one plan may cost, checked before the YAML is composed into a tree, so a plan
/// that would expand to millions of values (an alias bomb) or nest thousands of levels deep is
/// refused in milliseconds instead of taking the machine's memory.
///
/// A real plan is under 100 lines: a few kilobytes, a few hundred values, four levels deep, no
/// aliases or a handful. The limits are far above that and far below what hurts.
struct PlanYAMLLimits: Sendable, Equatable {
    /// Which limit a plan passed, with its value, for messages and tests.
    enum Limit: Sendable, Equatable {
        case bytes(Int), aliases(Int), depth(Int), nodes(Int)
    }

    /// Largest plan file, in bytes of UTF-8.
    let maxBytes: Int
    /// Most alias uses (`*name`) in the plan.
    let maxAliases: Int
    /// Deepest nesting of mappings and lists, the top-level mapping being level 1.
    let maxDepth: Int
    /// Most values (scalars, mappings and lists) once every alias is expanded in place.
    let maxNodes: Int

    /// The limits every plan is loaded with: 1 MiB (the example plans are about 2 KiB, the
    /// 497-line benchmark plan 16 KiB), 1000 alias uses (the example plans use none), 32 levels
    /// (plans nest mappings four deep) and 100000 values after expansion (the example plans
    /// have about 130, the benchmark plan 900; the nine-level alias bomb has 387 million).
    static let plan = PlanYAMLLimits(maxBytes: 1 << 20, maxAliases: 1000, maxDepth: 32, maxNodes: 100_000)
}
