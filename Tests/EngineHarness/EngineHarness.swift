import Foundation
import MigrationEngine

/// `EngineHarness JOURNAL MARKERS [--kill-after-event N] [--kill-inside WORKER]`
///
/// Runs a full migration with scripted workers that append a line to `MARKERS/<worker>` when
/// their work really happens, approving every gate itself. `--kill-after-event N` SIGKILLs the
/// process right after the Nth engine event; `--kill-inside WORKER` SIGKILLs it inside that
/// worker after its work and before the engine can record it. Exit 0 when complete; prints the
/// number of events seen.
@main
enum EngineHarness {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let journalPath = arguments[1]
        let markers = URL(fileURLWithPath: arguments[2])
        let killAfter = value(after: "--kill-after-event", in: arguments).flatMap(Int.init)
        let killInside = value(after: "--kill-inside", in: arguments)
        let counter = EventCounter()
        let workers: [MigrationPhase: [any MigrationWorker]] = [
            .dualExport: [MarkerWorker("export-a", markers, killInside), MarkerWorker("export-b", markers, killInside)],
            .importing: [MarkerWorker("import", markers, killInside)],
            .keyRotation: [MarkerWorker("cut-over", markers, killInside)],
            .decommission: [MarkerWorker("sweep", markers, killInside)],
        ]
        let engine = Orchestrator(
            journal: try Journal.open(path: journalPath), registry: WorkerRegistry(steps: workers),
            definition: RunDefinition(planHash: "sha256:harness", mode: .full, attempts: 1),
            events: { _ in
                let count = counter.increment()
                if count == killAfter { kill(getpid(), SIGKILL) }
            })
        var outcome = try await engine.apply()
        while case .waitingForApproval(let gate) = outcome {
            _ = try engine.approve(gate, by: "harness", note: "")
            outcome = try await engine.apply()
        }
        print("events \(counter.value) outcome \(outcome)")
        if outcome != .complete { exit(1) }
    }

    static func value(after flag: String, in arguments: [String]) -> String? {
        arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    }
}

/// Counts events across the engine's callbacks.
final class EventCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() -> Int {
        lock.withLock {
            count += 1; return count
        }
    }
}

/// A worker whose side effect is a line appended to a marker file.
struct MarkerWorker: MigrationWorker {
    let name: String
    let file: URL
    let killInside: String?

    init(_ name: String, _ folder: URL, _ killInside: String?) {
        self.name = name
        self.file = folder.appendingPathComponent(name)
        self.killInside = killInside
    }

    func describePlannedWork() async throws -> String { "append to \(file.lastPathComponent)" }
    func isDone() async throws -> Bool { FileManager.default.fileExists(atPath: file.path) }

    func apply() async throws {
        if !FileManager.default.fileExists(atPath: file.path) {
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("applied\n".utf8))
        try handle.synchronize()
        try handle.close()
        if killInside == name { kill(getpid(), SIGKILL) }
    }

    func verify() async throws {}
}
