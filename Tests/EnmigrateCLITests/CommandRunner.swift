import Foundation

/// Runs the built `enmigrate` binary as a user would and captures what it printed.
struct CommandRunner {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The binary next to the test bundle, in the same build products folder.
    static let binary: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("enmigrate").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("enmigrate")
    }()

    /// `environment` adds to (or replaces in) the test's own environment.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs a shell command line (stdout and stderr together), for what is not enmigrate.
    static func shell(_ command: String, in folder: URL? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        if let folder { process.currentDirectoryURL = folder }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Runs blocking work (a child process, pipe reads) on a dispatch thread, so an async test does
/// not hold one of the few cooperative threads the in-process loopback server answers on.
extension CommandRunner {
    /// Runs `enmigrate ARGS --json` and SIGKILLs it as soon as `shouldKill` accepts its output
    /// so far. Returns whether it was killed (false: it finished first).
    static func runAndKill(
        _ arguments: [String], in folder: URL, environment: [String: String] = [:],
        when shouldKill: (String) -> Bool
    ) throws -> Bool {
        try runAndSignal(arguments + ["--json"], in: folder, environment: environment, signal: SIGKILL, when: shouldKill).signalled
    }
}

extension CommandRunner {
    /// Runs `enmigrate ARGS` and sends `signal` once `shouldSignal` accepts its output so far
    /// (stdout and stderr together); returns how it ended and all it printed.
    static func runAndSignal(
        _ arguments: [String], in folder: URL, environment: [String: String] = [:], signal number: Int32,
        when shouldSignal: (String) -> Bool
    ) throws -> (status: Int32, signalled: Bool, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var buffer = Data()
        var signalled = false
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer += chunk
            if !signalled, shouldSignal(String(decoding: buffer, as: UTF8.self)) {
                kill(process.processIdentifier, number)
                signalled = true
            }
        }
        process.waitUntilExit()
        return (process.terminationStatus, signalled, String(decoding: buffer, as: UTF8.self))
    }
}

func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
