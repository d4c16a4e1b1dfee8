import Foundation
import Testing

/// The README's promise to a new user: on a fresh checkout, its first command builds enmigrate
/// and runs a whole migration on local files and SQLite. This clones the committed tree into a
/// temporary folder (so nothing of this working copy's state helps) and runs that command as
/// written, twice — with `ENMIGRATE_BIN` set to the enmigrate this test run built, so the
/// package is not built a second time from scratch (CI's own build, from a clean clone, is the
/// proof that it builds; the binary is the same tree's when the working copy is clean, as in CI).
/// Set ENMIGRATE_SKIP_CLEAN_CHECKOUT=1 to leave it out of a local iteration; CI never does.
@Suite("the README's main command, from a clean checkout")
struct ReadmeMainCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The first line of the README's first `sh` block: the command a new user runs first.
    static func mainCommand() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "```sh\n").dropFirst().first)
        let line = try #require(block.split(separator: "\n").first)
        return String(line.split(separator: "#").first ?? line).trimmingCharacters(in: .whitespaces)
    }

    @Test(
        "scripts/demo runs a full migration and says so; run again it has nothing to do",
        .disabled(if: ProcessInfo.processInfo.environment["ENMIGRATE_SKIP_CLEAN_CHECKOUT"] == "1"))
    func demoFromCleanCheckout() async throws {
        let command = try Self.mainCommand()
        #expect(command == "scripts/demo")
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clone = folder.appendingPathComponent("enmigrate")
        let cloned = try await offPool { try CommandRunner.shell("git clone --quiet '\(Self.root.path)' '\(clone.path)'", in: folder) }
        try #require(cloned.status == 0, "git clone failed: \(cloned.output)")

        let reuse = "ENMIGRATE_BIN='\(CommandRunner.binary.path)' "
        let first = try await offPool { try CommandRunner.shell(reuse + command, in: clone) }
        #expect(first.status == 0, "\(first.output.suffix(3000))")
        for gate in ["key-rotation", "app-update", "decommission"] {
            #expect(first.output.contains("APPROVING GATE \(gate) AUTOMATICALLY"))
        }
        #expect(first.output.contains("coverage holds: all"))
        let moved = first.output.components(separatedBy: "keys moved into the national key store:").dropFirst().first?
            .split(separator: "\n").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        // 14 days of 2,000–4,000 keys, every one moved.
        #expect((28_000...56_000).contains(moved ?? 0), "\(first.output.suffix(1500))")
        #expect(first.output.contains("cut-over latency (approval to swap):"))
        #expect(FileManager.default.fileExists(atPath: clone.appendingPathComponent("demo-output/reports/decommission-report.md").path))

        let second = try await offPool { try CommandRunner.shell(reuse + command, in: clone) }
        #expect(second.status == 0)
        #expect(second.output.contains("nothing to do"))
    }
}
