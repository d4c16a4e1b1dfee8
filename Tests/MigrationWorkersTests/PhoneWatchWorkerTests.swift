import ExposureExport
import Foundation
import MigrationEngine
import MigrationStores
import Synchronization
import Testing
@testable import MigrationWorkers

@Suite("The phone-watch of a steady pass: the newest files every pass, every file once a day")
struct PhoneWatchWorkerTests {
    final class Clock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_793_491_200 + 4 * 86_400))
        let checks = Mutex<[CheckResult]>([])
    }

    @Test("an older file damaged on the CDN is missed by the cheap passes and found by the daily full look; the newest are read every pass")
    func sampled() async throws {
        var feed = FeedFixture()
        for _ in 0..<4 { try await feed.add(FeedFixture.keys(10), signer: TestKeys.national) }
        let clock = Clock()
        let environment = WorkerEnvironment(
            now: { clock.now.withLock { $0 } }, sleep: { _ in },
            report: { event in if case .check(let result) = event { clock.checks.withLock { $0.append(result) } } })
        let reader = PhoneFeedReader(store: feed.store, indexPath: "\(feed.root)/index.txt", key: TestKeys.national.trustedKey, environment: environment)
        let worker = PhoneWatchWorker(watch: PhoneWatch(reader: reader, indexURL: "file:feed", period: .seconds(86_400)), newest: 2)
        func pass() async throws -> CheckResult {
            try await worker.steadyPass()
            return try #require(clock.checks.withLock { $0.last })
        }
        #expect(try await pass().outcome == .passed, "the first pass reads everything")
        // The oldest file goes bad on the CDN.
        try await feed.store.write(Data("not a zip".utf8), to: feed.files[0].name)
        clock.now.withLock { $0 += 300 }
        let cheap = try await pass()
        #expect(cheap.outcome == .passed && cheap.reason.contains("2 newest files"), "\(cheap.reason)")
        // The newest one going bad is seen at once.
        try await feed.store.write(Data("not a zip".utf8), to: feed.files[3].name)
        clock.now.withLock { $0 += 300 }
        #expect(try await pass().outcome == .failed)
        try await feed.add(FeedFixture.keys(10), signer: TestKeys.national)
        try await feed.add(FeedFixture.keys(10), signer: TestKeys.national)
        clock.now.withLock { $0 += 86_400 }
        let full = try await pass()
        #expect(full.outcome == .failed && full.reason.contains(feed.files[0].name), "the daily full look finds the old damage: \(full.reason)")
    }

    @Test("the time of the last full look outlives the process: a second process within the day reads only the newest files, one a day later reads every file")
    func memoryAcrossProcesses() async throws {
        var feed = FeedFixture()
        for _ in 0..<4 { try await feed.add(FeedFixture.keys(10), signer: TestKeys.national) }
        let clock = Clock()
        let environment = WorkerEnvironment(
            now: { clock.now.withLock { $0 } }, sleep: { _ in },
            report: { event in if case .check(let result) = event { clock.checks.withLock { $0.append(result) } } })
        let memory = WorkerDocument.file(FileManager.default.temporaryDirectory.appendingPathComponent("phone-watch-\(UUID().uuidString).json"))
        // Each pass is a new worker, as each `apply --once` is a new process.
        func pass() async throws -> CheckResult {
            let reader = PhoneFeedReader(store: feed.store, indexPath: "\(feed.root)/index.txt", key: TestKeys.national.trustedKey, environment: environment)
            let worker = PhoneWatchWorker(watch: PhoneWatch(reader: reader, indexURL: "file:feed", period: .seconds(86_400)), newest: 2, memory: memory)
            try await worker.steadyPass()
            return try #require(clock.checks.withLock { $0.last })
        }
        #expect(try await pass().reason.contains("4 of 4 files"), "the first process reads everything")
        clock.now.withLock { $0 += 300 }
        let second = try await pass()
        #expect(second.reason.contains("2 of 2 newest files"), "\(second.reason)")
        clock.now.withLock { $0 += 86_400 }
        #expect(try await pass().reason.contains("4 of 4 files"), "a day later every file again")
        clock.now.withLock { $0 += 300 }
        #expect(try await pass().reason.contains("newest files"))
        // An unreadable memory means a full look, not a stuck watch.
        try memory.save(Data("not json".utf8))
        #expect(try await pass().reason.contains("4 of 4 files"))
    }
}
