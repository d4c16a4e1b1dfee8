import Foundation
import Testing

@Suite("Killed at every step boundary, a run resumes to the same end with no work done twice")
struct CrashResumeTests {
    static let harness = CommandRunner.binary.deletingLastPathComponent().appendingPathComponent("EngineHarness")

    private func run(_ journal: URL, _ markers: URL, _ extra: [String] = []) throws -> (status: Int32, reason: Process.TerminationReason, out: String) {
        let process = Process()
        process.executableURL = Self.harness
        process.arguments = [journal.path, markers.path] + extra
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, out)
    }

    private func fresh() throws -> (URL, URL) {
        let folder = try CommandRunner.temporaryFolder()
        let markers = folder.appendingPathComponent("markers")
        try FileManager.default.createDirectory(at: markers, withIntermediateDirectories: true)
        return (folder.appendingPathComponent("journal.db"), markers)
    }

    private func appliedCounts(_ markers: URL) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for name in ["export-a", "export-b", "import", "cut-over", "sweep"] {
            let text = (try? String(contentsOf: markers.appendingPathComponent(name), encoding: .utf8)) ?? ""
            counts[name] = text.split(separator: "\n").count
        }
        return counts
    }

    @Test("SIGKILL after each event, then resume: complete, every worker's work applied exactly once")
    func killAtEveryBoundary() throws {
        let (journal, markers) = try fresh()
        let clean = try run(journal, markers)
        #expect(clean.status == 0, "\(clean.out)")
        let total = try #require(Int(clean.out.split(separator: " ")[1]))
        #expect(total > 20)
        let expected = ["export-a": 1, "export-b": 1, "import": 1, "cut-over": 1, "sweep": 1]
        #expect(try appliedCounts(markers) == expected)

        for boundary in 1..<total {
            let (journal, markers) = try fresh()
            let killed = try run(journal, markers, ["--kill-after-event", String(boundary)])
            #expect(killed.reason == .uncaughtSignal, "boundary \(boundary) did not crash")
            let resumed = try run(journal, markers)
            #expect(resumed.status == 0, "boundary \(boundary): \(resumed.out)")
            #expect(try appliedCounts(markers) == expected, "boundary \(boundary)")
        }
    }

    @Test("SIGKILL inside a worker after its work: the resumed run asks it and does not redo the work")
    func killInsideWorker() throws {
        for worker in ["export-b", "import", "cut-over", "sweep"] {
            let (journal, markers) = try fresh()
            let killed = try run(journal, markers, ["--kill-inside", worker])
            #expect(killed.reason == .uncaughtSignal)
            #expect(try run(journal, markers).status == 0)
            #expect(try appliedCounts(markers)[worker] == 1, "\(worker)")
        }
    }
}
