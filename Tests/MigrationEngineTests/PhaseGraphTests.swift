import Foundation
import Testing
import MigrationEngine

@Suite("The phase diagram, generated from the transition table")
struct PhaseGraphTests {
    @Test("read-only: the happy path ends steady in mirroring, waiting only at key-rotation")
    func readOnlyPath() throws {
        let path = try RunStateMachine.happyPath(mode: .readOnly)
        #expect(path.edges.map(\.to) == [.dualExport, .importing, .preparingCutOver, .keyRotation, .mirroring])
        #expect(path.edges.compactMap(\.gate) == [.keyRotation])
        #expect(path.end == .steady)
    }

    @Test("full: three gates in order, ending complete; an app-update gate set to none is not waited at")
    func fullPath() throws {
        let path = try RunStateMachine.happyPath(mode: .full)
        #expect(path.edges.last?.to == .complete)
        #expect(path.edges.compactMap(\.gate) == [.keyRotation, .appUpdate, .decommission])
        #expect(path.end == .succeeded)
        let withoutAppUpdate = try RunStateMachine.happyPath(mode: .full, requiredGates: [])
        #expect(withoutAppUpdate.edges.compactMap(\.gate) == [.keyRotation, .decommission])
    }

    @Test("the README and docs/engine.md show exactly the diagram the table generates", arguments: ["README.md", "docs/engine.md"])
    func docsMatchTable(file: String) throws {
        let generated = try RunStateMachine.mermaid()
        #expect(try Self.text(of: file).contains("```mermaid\n" + generated + "```"), "regenerate the diagram in \(file):\n\(generated)")
    }

    @Test("the README and the docs show exactly the work table the phase definitions generate", arguments: ["README.md", "docs/engine.md", "docs/workers.md"])
    func docsMatchWorkTable(file: String) throws {
        let table = MigrationPhase.workTable()
        #expect(try Self.text(of: file).contains("\n" + table + "\n"), "regenerate the table in \(file) (enmigrate graph --format table):\n\(table)")
    }

    private static func text(of file: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(file)
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test("the DOT graph has every phase, each gate on the edge into its phase, and both ends")
    func dot() throws {
        let dot = try RunStateMachine.dot()
        #expect(dot.hasPrefix("digraph migration {") && dot.hasSuffix("}\n"))
        for phase in MigrationPhase.allCases { #expect(dot.contains("\"\(phase.rawValue)\""), "\(phase)") }
        #expect(dot.contains(#""preparing-cut-over" -> "key-rotation" [label="gate key-rotation"];"#))
        #expect(dot.contains(#""mirroring" -> "read-only end";"#) && dot.contains(#""complete" -> "full end";"#))
    }
}
