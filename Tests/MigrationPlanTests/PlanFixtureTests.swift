import Foundation
import Testing
@testable import MigrationPlan

@Suite("Each rule, broken alone, at its exact line and column")
struct PlanFixtureTests {
    static let invalidFixtures: [String] =
        (try? FileManager.default.contentsOfDirectory(
            atPath: PlanWorkspace.fixtures.appendingPathComponent("invalid").path))?.filter { $0.hasSuffix(".yaml") }.sorted() ?? []

    @Test("the base fixture is valid")
    func baseIsValid() throws {
        let result = try PlanWorkspace().load(PlanWorkspace.base)
        #expect(result.errors.isEmpty, "\(result.diagnostics)")
        #expect(result.plan != nil)
    }

    @Test("there is a fixture for every rule")
    func fixtureCount() {
        #expect(Self.invalidFixtures.count >= 20)
    }

    @Test("a fixture breaking one rule gives exactly that diagnostic where its header says", arguments: invalidFixtures)
    func fixture(name: String) throws {
        let text = try PlanWorkspace.fixture("invalid/" + name)
        // Header: "# breaks one rule: CODE at LINE:COLUMN"
        let header = try #require(text.split(separator: "\n").first)
        let parts = header.split(separator: " ")
        let code = String(parts[4])
        let position = parts[6].split(separator: ":").compactMap { Int($0) }
        let result = try PlanWorkspace().load(text, name: name)
        #expect(result.plan == nil)
        #expect(result.errors.count == 1, "\(result.errors)")
        let error = try #require(result.errors.first)
        #expect(error.code == code)
        #expect([error.line, error.column] == position)
        #expect(error.file == name)
    }
}
