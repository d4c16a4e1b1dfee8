import Foundation
import Synchronization

/// One run of a hook's command: no shell, the event on standard input, its output kept in a
/// temporary file (a pipe would wait on any grandchild that inherited it) and quoted, the
/// last lines of it, when it fails. A command still running at its timeout gets SIGTERM, and
/// SIGKILL two seconds later.
struct HookCommand {
    let words: [String]
    let timeout: Duration

    /// Why the command failed, with what it printed last.
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let reason: String
        let output: String
        var description: String { "`\(command)` \(reason)" + (output.isEmpty ? "" : ": \(output)") }
    }

    func run(stdin body: Data, environment extra: [String: String]) async throws {
        // A hook that exits before reading its input makes the write below fail, not the process end.
        BrokenPipes.ignored
        let command = words.joined(separator: " ")
        let process = Process()
        if words[0].contains("/") {
            process.executableURL = URL(fileURLWithPath: words[0])
            process.arguments = Array(words.dropFirst())
        } else {
            // A bare name is found in PATH, as a shell would.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = words
        }
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-hook-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let log = try FileHandle(forWritingTo: output)
        defer { try? log.close() }
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = log
        process.standardError = log
        let ended = Ending()
        let status: Int32? = await withCheckedContinuation { continuation in
            ended.waiting.withLock { $0 = continuation }
            process.terminationHandler = { finished in ended.end(finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                ended.end(nil)
                return
            }
            // A hook that never reads its input must not hold the run: the body is small and
            // the pipe's buffer takes it whole.
            try? input.fileHandleForWriting.write(contentsOf: body)
            try? input.fileHandleForWriting.close()
            let pid = process.processIdentifier
            Task {
                try? await Task.sleep(for: timeout)
                guard ended.running else { return }
                kill(pid, SIGTERM)
                try? await Task.sleep(for: .seconds(2))
                if ended.running { kill(pid, SIGKILL) }
            }
        }
        guard let status else {
            throw Failure(command: command, reason: "could not be started (is \(words[0]) an executable file?)", output: "")
        }
        let said = Self.tail(of: output)
        switch process.terminationReason {
        case .uncaughtSignal:
            throw Failure(command: command, reason: "was stopped by signal \(status) (its timeout is \(timeout))", output: said)
        case .exit where status != 0:
            throw Failure(command: command, reason: "exited \(status)", output: said)
        default: return
        }
    }

    /// The last few lines the command printed, on one line.
    static func tail(of file: URL) -> String {
        guard let data = try? Data(contentsOf: file) else { return "" }
        let lines = String(decoding: data.suffix(2048), as: UTF8.self).split(whereSeparator: \.isNewline).suffix(3)
        return lines.joined(separator: " / ")
    }
}

/// The wait for a hook's process to end: resumed once, by its end or by a failed start.
private final class Ending: Sendable {
    let waiting = Mutex<CheckedContinuation<Int32?, Never>?>(nil)

    var running: Bool { waiting.withLock { $0 != nil } }

    func end(_ status: Int32?) {
        waiting.withLock { continuation in
            continuation?.resume(returning: status)
            continuation = nil
        }
    }
}
