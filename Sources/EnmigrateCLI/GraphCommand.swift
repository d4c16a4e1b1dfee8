import ArgumentParser
import MigrationEngine

/// `enmigrate graph [--format mermaid|dot]`: the phase machine, generated from the transition table.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the migration's phase machine (generated from the engine's transition table, never drawn by hand).",
        discussion: "Mermaid renders on GitHub and in most Markdown viewers; DOT renders with `dot -Tsvg`."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot
    }

    @Option(help: "mermaid or dot.")
    var format: Format = .mermaid

    func run() throws {
        switch format {
        case .mermaid: print(try RunStateMachine.mermaid(), terminator: "")
        case .dot: print(try RunStateMachine.dot(), terminator: "")
        }
    }
}
