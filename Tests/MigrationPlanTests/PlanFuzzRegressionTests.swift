import Foundation
import Testing
@testable import MigrationPlan

/// Inputs the plan fuzzer (Fuzzing/, scripts/fuzz) found, each fixed; the input is also in
/// Fuzzing/Corpus/plan/ so every fuzz run replays it.
@Suite("Plan inputs found by fuzzing")
struct PlanFuzzRegressionTests {
    /// A mapping repeating a plain key and a complex (`? {…}`) key: Yams orders the repeated
    /// keys with a comparison that has no order between a scalar and a mapping, so which one it
    /// named first, and where, changed from one load to the next.
    static let repeatedComplexKey = "a: 1\n? {b: 1}\n: 2\nc: 3\n? {b: 1}\n: 4\na: 5\nc: 6\n"

    @Test("repeated keys, one of them complex, give the same diagnostic every time")
    func repeatedKeysAreDeterministic() throws {
        let folder = FileManager.default.temporaryDirectory
        let first = PlanLoader.load(text: Self.repeatedComplexKey, file: "dup.yaml", folder: folder)
        // Yams' dictionaries are seeded by their address: keep blocks of many sizes alive
        // between loads so each load's dictionaries land elsewhere, as under the fuzzer.
        var blocks: [[UInt8]] = []
        for _ in 0..<20 {
            blocks += (1...64).map { [UInt8](repeating: 0, count: $0 * 16) }
            let again = PlanLoader.load(text: Self.repeatedComplexKey, file: "dup.yaml", folder: folder)
            #expect(again.diagnostics == first.diagnostics)
        }
        #expect(blocks.count == 20 * 64)
        let diagnostic = try #require(first.diagnostics.first)
        #expect(first.diagnostics.count == 1)
        #expect(diagnostic.code == "yaml-syntax")
        #expect(diagnostic.message == "YAML syntax: duplicated key a, c and a complex (non-scalar) key in a mapping; plan keys are plain words")
    }

    @Test("repeated plain keys are still named at the first of them")
    func repeatedPlainKeys() throws {
        let result = PlanLoader.load(
            text: "version: 1\nname: x\nmode: full\nname: y\n", file: "dup.yaml",
            folder: FileManager.default.temporaryDirectory)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.message == "YAML syntax: duplicated key name in a mapping")
        #expect((diagnostic.line, diagnostic.column) == (2, 1))
    }
}
