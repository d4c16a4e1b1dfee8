import Foundation
import MigrationEngine

/// Runs the `enmigrate` binary itself as a child process — the unchanged `apply` path an
/// operator runs — logging everything it prints, and SIGKILLs it at a chosen moment when asked.
struct ChildRun: Sendable {
    /// One line the child printed: a JSON event (``EventRecord``), or plain text (approve
    /// prints one plain line).
    struct Line: Sendable {
        /// The event's type, `text` for a plain line.
        let event: String
        let message: String
        /// The event as typed (nil for a plain line): the rehearsal reads its fields, not its prose.
        var record: EventRecord?
    }

    /// How a child process ended.
    struct Result: Sendable {
        let status: Int32
        let killed: Bool
        let lines: [Line]

        /// How many moments of work (``ChildRun/workEvents``) it printed.
        var workEventCount: Int { lines.count { ChildRun.workEvents.contains($0.event) } }
        /// The outcome line's message (the last JSON event), or the last line.
        var lastMessage: String { lines.last?.message ?? "" }
        /// Where the child was when it ended or was killed: its phase (or the catch-up a run
        /// waiting at a gate does) and the worker it was running.
        var place: String {
            var phase: String?
            var worker: String?
            for line in lines {
                guard let record = line.record else { continue }
                switch record.type {
                case "phaseEntered":
                    phase = record.phase
                    worker = nil
                case "stepStarted", "stepSucceeded":
                    phase = record.phase
                    worker = record.worker
                case "progress": worker = record.worker
                default: continue
                }
            }
            return (phase.map { "phase \($0)" } ?? "the catch-up of a run waiting at a gate") + (worker.map { ", in \($0)" } ?? "")
        }
    }

    /// Events that are moments of work, where a kill lands inside a phase's steps.
    static let workEvents: Set<String> = ["phaseEntered", "stepStarted", "progress", "stepSucceeded", "recovered"]

    let executable: URL
    let folder: URL

    /// Runs `enmigrate ARGUMENTS`, appends its output to `log`, and kills it with SIGKILL once it
    /// has printed `killAfter` work events or its outcome, whichever comes first (nil: never).
    /// With `restart`, the server restart fires once (among all the children sharing it) after
    /// the child printed `restart.after` work events or its outcome, and the child goes on. A
    /// replica (`replica: true`) that did no work (it found the run held by another) is neither
    /// killed nor restarted at its outcome: the moments are the working replica's.
    /// Blocks; call it off the cooperative pool.
    func run(_ arguments: [String], log: URL, killAfter: Int?, restart: ServerRestart? = nil, replica: Bool = false) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        if !FileManager.default.fileExists(atPath: log.path) {
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
                throw RehearsalError.runFailed("\(log.path): cannot create the log file")
            }
        }
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }
        try logHandle.seekToEnd()
        try logHandle.write(contentsOf: Data("$ enmigrate \(arguments.joined(separator: " "))\n".utf8))
        try process.run()
        var pending = Data()
        var lines: [Line] = []
        var workSeen = 0
        var killed = false
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            try logHandle.write(contentsOf: chunk)
            pending += chunk
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Self.parse(pending[pending.startIndex..<newline])
                pending = Data(pending[pending.index(after: newline)...])
                lines.append(line)
                if Self.workEvents.contains(line.event) { workSeen += 1 }
                // A pass shorter than the chosen moment is killed at its outcome line instead,
                // after its work and before it exits, so every planned kill lands.
                let ending = line.event == "outcome" && (!replica || workSeen > 0)
                if let restart, workSeen >= restart.after || ending, let said = restart.fire() {
                    try logHandle.write(contentsOf: Data("[rehearsal: \(said)]\n".utf8))
                }
                if let killAfter, !killed, workSeen >= killAfter || ending {
                    kill(process.processIdentifier, SIGKILL)
                    killed = true
                }
            }
        }
        process.waitUntilExit()
        if killed { try logHandle.write(contentsOf: Data("[rehearsal: killed with SIGKILL here]\n".utf8)) }
        return Result(status: process.terminationStatus, killed: killed, lines: lines)
    }

    private static func parse(_ bytes: Data) -> Line {
        if let record = try? JSONDecoder().decode(EventRecord.self, from: bytes) {
            return Line(event: record.type, message: record.message, record: record)
        }
        return Line(event: "text", message: String(decoding: bytes, as: UTF8.self))
    }
}

/// The `restart` fault's moment and command, shared by the replicas of one pass: the first
/// child to reach the moment restarts the server, once.
final class ServerRestart: @unchecked Sendable {
    /// Work events after which the server restarts.
    let after: Int
    private let command: String
    private let lock = NSLock()
    /// What the restart said (exit status and time taken), once it ran.
    private var said: String?

    init(after: Int, command: String) {
        self.after = after
        self.command = command
    }

    /// Runs the command the first time it is called and returns what happened; nil afterwards.
    /// The lock is held while it runs, so a replica reaching the moment meanwhile waits and gets nil.
    func fire() -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard said == nil else { return nil }
        let began = ContinuousClock.now
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            said =
                "the PostgreSQL server restarted (exit \(process.terminationStatus), "
                + String(format: "%.1f", Journal.seconds(ContinuousClock.now - began)) + " s)"
        } catch {
            said = "the restart command could not run: \(error)"
        }
        return said
    }

    /// What the restart said, nil while it has not run.
    var outcome: String? { lock.withLock { said } }
}

/// Runs blocking work (a child process and its pipe) on a dispatch thread, so the in-process
/// loopback server keeps answering on the cooperative pool meanwhile.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
