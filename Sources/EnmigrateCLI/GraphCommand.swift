import ArgumentParser
import MigrationEngine

/// `enmigrate graph [--format mermaid|dot|table]`: the phase machine, generated from the transition
/// table, or the work of each phase from `MigrationPhase.definitions`.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the migration's phase machine (generated from the engine's transition table, never drawn by hand).",
        discussion:
            "Mermaid renders on GitHub and in most Markdown viewers; DOT renders with `dot -Tsvg`. `table` is each phase's work as Markdown: its gate, the workers of its step, what it keeps doing, the checks that let the run leave it."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot, table
    }

    @Option(help: "mermaid, dot, or table (each phase's workers and checks).")
    var format: Format = .mermaid

    @Flag(help: "Print the phase machine as data instead: {schema: enmigrate.graph/1, modes: [{mode, end, edges: [{from, to, gate}]}]}.")
    var json = false

    private struct Graph: Encodable {
        struct Mode: Encodable {
            struct Edge: Encodable {
                let from: String
                let to: String
                let gate: String?
            }
            let mode: String
            /// The run's status at the end of the happy path: steady (read-only) or succeeded (full).
            let end: String
            let edges: [Edge]
        }
        var schema = "enmigrate.graph/1"
        let modes: [Mode]
    }

    func run() throws {
        if json {
            let modes = try MigrationPhase.Mode.allCases.map { mode in
                let path = try RunStateMachine.happyPath(mode: mode)
                return Graph.Mode(
                    mode: mode.rawValue, end: path.end.rawValue,
                    edges: path.edges.map { .init(from: $0.from.rawValue, to: $0.to.rawValue, gate: $0.gate?.rawValue) })
            }
            return try printJSON(Graph(modes: modes))
        }
        switch format {
        case .mermaid: print(try RunStateMachine.mermaid(), terminator: "")
        case .dot: print(try RunStateMachine.dot(), terminator: "")
        case .table: print(MigrationPhase.workTable(), terminator: "")
        }
    }
}
