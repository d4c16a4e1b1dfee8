import Testing

@Suite("enmigrate graph")
struct GraphCommandTests {
    @Test("prints the generated Mermaid diagram by default and DOT on request; an unknown format is a usage error")
    func formats() throws {
        let mermaid = try CommandRunner.run(["graph"])
        #expect(mermaid.status == 0 && mermaid.stdout.hasPrefix("stateDiagram-v2\n    [*] --> planned"))
        #expect(mermaid.stdout.contains("preparing_cut_over --> key_rotation: gate key-rotation"))
        let dot = try CommandRunner.run(["graph", "--format", "dot"])
        #expect(dot.status == 0 && dot.stdout.hasPrefix("digraph migration {"))
        #expect(try CommandRunner.run(["graph", "--format", "svg"]).status == 64)
        let table = try CommandRunner.run(["graph", "--format", "table"])
        #expect(table.status == 0 && table.stdout.contains("| `preparing-cut-over` | — | `mirror-stage`, `coverage-proof`, `rotation-request` |"))
    }
}
