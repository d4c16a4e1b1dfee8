import Foundation
import MigrationStores
import Testing

/// The throwaway PostgreSQL server of scripts/with-postgres, if this run has one. Each use
/// gets a schema of its own, so tests running in parallel never see each other's rows.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["ENMIGRATE_TEST_POSTGRES"]

    static func freshSchema() throws -> PostgresLocation {
        let base = try PostgresLocation(url: try #require(url))
        return try base.inSchema("t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())
    }
}

@Suite("PostgreSQL is tested in CI")
struct PostgresPresenceTests {
    @Test("CI runs the PostgreSQL drivers (scripts/test starts a throwaway server)")
    func presentInCI() {
        let ci = ProcessInfo.processInfo.environment["CI"] == "true"
        #expect(!ci || TestPostgres.url != nil, "CI=true but ENMIGRATE_TEST_POSTGRES is not set: run the tests through scripts/with-postgres")
    }
}

/// A PostgreSQL cluster of a test's own (scripts/pg-cluster), for the tests that stop and
/// restart the server: the shared one of scripts/with-postgres serves tests running in
/// parallel and must stay up. Removed when the value goes away.
final class PrivatePostgres: @unchecked Sendable {
    let folder: URL
    let url: String
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pg-cluster")

    init() throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("enmigrate-pg-\(UUID().uuidString.prefix(8))")
        url = try Self.run("start", folder).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        _ = try? Self.run("stop", folder)
        try? FileManager.default.removeItem(at: folder)
    }

    /// A fresh schema on this server.
    func freshSchema() throws -> PostgresLocation {
        try PostgresLocation(url: url).inSchema("t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())
    }

    /// Stops the server as a planned restart does (every backend ended), and starts it again on the same port.
    func restart() throws { _ = try Self.run("restart", folder) }
    /// Stops the server at once, as a crash does.
    func stop() throws { _ = try Self.run("stop", folder) }
    /// Starts the stopped server again on the same port.
    func start() throws { _ = try Self.run("start", folder) }

    @discardableResult
    private static func run(_ verb: String, _ folder: URL) throws -> String {
        let process = Process()
        process.executableURL = script
        process.arguments = [verb, folder.path]
        // A file, not a pipe: the server the script starts inherits open descriptors, and a
        // pipe it holds would never reach end-of-file.
        let outputFile = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("pg-cluster-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        try process.run()
        process.waitUntilExit()
        let data = try Data(contentsOf: outputFile)
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "scripts/pg-cluster \(verb) exited \(process.terminationStatus)"])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Answers `body` or fails the test after `limit`: a hang is a failure, not a stuck suite.
/// The body runs in a task nobody waits for once the limit passed (a task group would wait).
func within<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let answer = AnswerOnce<T>()
    let result: Result<T, any Error>? = await withCheckedContinuation { continuation in
        answer.waiting(continuation)
        Task.detached { answer.give(await Result(catching: { try await body() })) }
        Task.detached {
            try? await Task.sleep(for: limit); answer.give(nil)
        }
    }
    return try #require(result, "\(what) did not answer within \(limit)").get()
}

/// The first of several answers, handed to one waiting continuation.
private final class AnswerOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<T, any Error>?, Never>?

    func waiting(_ continuation: CheckedContinuation<Result<T, any Error>?, Never>) {
        lock.withLock { self.continuation = continuation }
    }

    func give(_ result: Result<T, any Error>?) {
        let waiting: CheckedContinuation<Result<T, any Error>?, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: result)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
