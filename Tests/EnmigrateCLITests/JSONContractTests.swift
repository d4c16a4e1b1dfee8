import Foundation
import Testing

@Suite("--json: every verb gives a script one document, failures included")
struct JSONContractTests {
    private func document(_ output: CommandRunner.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.stdout)\n\(output.stderr)")
    }

    @Test("a usage error (a missing option, a mistyped verb) is an {error} document with exit 64")
    func usageErrors() throws {
        let folder = try PlanFolder.make()
        let missing = try CommandRunner.run(["approve", "plan.yaml", "--json"], in: folder)
        #expect(missing.status == 64)
        let error = try #require(try document(missing)["error"] as? [String: Any])
        #expect(error["exitCode"] as? Int == 64)
        #expect((error["message"] as? String)?.contains("--gate") == true, "\(error)")
        let mistyped = try CommandRunner.run(["validat", "plan.yaml", "--json"], in: folder)
        #expect(mistyped.status == 64)
        #expect(((try document(mistyped)["error"] as? [String: Any])?["message"] as? String)?.contains("did you mean `validate`") == true)
        // Without --json, standard output stays empty: the error is on standard error only.
        let plain = try CommandRunner.run(["approve", "plan.yaml"], in: folder)
        #expect(plain.status == 64 && plain.stdout.isEmpty && plain.stderr.contains("--gate"))
    }

    @Test("a refusal a verb explains on standard error is also the document's message")
    func refusalAsDocument() throws {
        let folder = try PlanFolder.make()
        let output = try CommandRunner.run(["resume", "plan.yaml", "--json"], in: folder)
        #expect(output.status == 1)
        let error = try #require(try document(output)["error"] as? [String: Any])
        #expect((error["message"] as? String)?.contains("nothing to resume") == true, "\(error)")
    }

    @Test("graph --json is the phase machine as data, each mode's path ending where the engine ends it")
    func graphAsData() throws {
        let folder = try PlanFolder.make()
        let graph = try document(try CommandRunner.run(["graph", "--json"], in: folder))
        #expect(graph["schema"] as? String == "enmigrate.graph/1")
        let modes = try #require(graph["modes"] as? [[String: Any]])
        let readOnly = try #require(modes.first { $0["mode"] as? String == "read-only" })
        #expect(readOnly["end"] as? String == "steady")
        let edges = try #require(readOnly["edges"] as? [[String: Any]])
        #expect(edges.contains { $0["to"] as? String == "key-rotation" && $0["gate"] as? String == "key-rotation" })
        #expect(edges.last?["to"] as? String == "mirroring")
    }
}
