import Foundation
import Synchronization
@testable import MigrationEngine

/// A worker that does what its script says: fail its first `failures` attempts, hang, and
/// count how often its work really ran.
final class ScriptedWorker: MigrationWorker {
    let name: String
    private let failures: Int
    private let hangs: Bool
    private let state = Mutex((attempts: 0, applied: 0, steadyPasses: 0))

    init(_ name: String, failures: Int = 0, hangs: Bool = false) {
        self.name = name
        self.failures = failures
        self.hangs = hangs
    }

    var applied: Int { state.withLock { $0.applied } }
    var attempts: Int { state.withLock { $0.attempts } }
    var steadyPasses: Int { state.withLock { $0.steadyPasses } }

    func describePlannedWork() async throws -> String { "\(name) would run" }
    func isDone() async throws -> Bool { applied > 0 }

    func apply() async throws {
        let attempt = state.withLock {
            $0.attempts += 1; return $0.attempts
        }
        if hangs { try await Task.sleep(for: .seconds(3600)) }
        if attempt <= failures { throw ScriptedFailure(attempt: attempt) }
        state.withLock { $0.applied += 1 }
    }

    func verify() async throws {}
    func steadyPass() async throws { state.withLock { $0.steadyPasses += 1 } }
}

struct ScriptedFailure: Error, CustomStringConvertible {
    let attempt: Int
    var description: String { "scripted failure \(attempt)" }
}

/// A check whose outcome a test sets.
final class ScriptedCheck: MigrationCheck {
    let name: String
    private let outcome: Mutex<CheckResult.Outcome>

    init(_ name: String, _ outcome: CheckResult.Outcome = .passed) {
        self.name = name
        self.outcome = Mutex(outcome)
    }

    func set(_ value: CheckResult.Outcome) { outcome.withLock { $0 = value } }

    func evaluate() async -> CheckResult {
        let value = outcome.withLock { $0 }
        return CheckResult(name: name, outcome: value, reason: value == .passed ? "" : "import lag is 2 periods")
    }
}

/// A clock tests move by hand, and a record of every sleep the engine asked for.
final class TestTime: Sendable {
    private let state = Mutex((now: Date(timeIntervalSince1970: 1_800_000_000), sleeps: [Duration]()))
    var now: Date { state.withLock { $0.now } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    func advance(_ seconds: TimeInterval) { state.withLock { $0.now.addTimeInterval(seconds) } }

    var environment: EngineEnvironment {
        EngineEnvironment(
            now: { self.now }, sleep: { duration in self.state.withLock { $0.sleeps.append(duration) } },
            owner: LockOwner(user: "test", host: "test-host", pid: 4242), isAlive: { _ in true })
    }
}
