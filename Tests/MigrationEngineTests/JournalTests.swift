import Foundation
import GRDB
import Testing
@testable import MigrationEngine

@Suite("The journal and the run lock")
struct JournalTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-journal-\(UUID().uuidString)/journal.db").path
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let me = LockOwner(user: "ops", host: "host-a", pid: 1000)
    let other = LockOwner(user: "ops2", host: "host-a", pid: 2000)

    @Test("records chain by hash; a changed record is found by number")
    func chainAndTamper() throws {
        let journal = try Journal.open(path: path)
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        var machine = RunStateMachine(mode: .readOnly)
        try journal.startRun(planHash: "sha256:abc", machine: machine, fence: fence, at: start)
        _ = try machine.handle(.begin)
        for index in 1...5 {
            try journal.append(.checks, machine: machine, detail: ["n": "\(index)"], fence: fence, at: start.addingTimeInterval(Double(index)))
        }
        #expect(try journal.records().count == 6)
        #expect(try journal.firstBrokenRecord() == nil)
        #expect(try journal.run()?.planHash == "sha256:abc")

        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "UPDATE record SET detail = '{\"n\":\"9\"}' WHERE seq = 4") }
        #expect(try journal.firstBrokenRecord() == 4)
    }

    @Test("a second process gets `lock held` naming the holder; the holder renews")
    func lockHeld() throws {
        let journal = try Journal.open(path: path)
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        #expect(throws: JournalError.lockHeld(holder: LockHolder(user: "ops", host: "host-a", pid: 1000, fence: fence,
                                                                 expires: start.addingTimeInterval(15)))) {
            try journal.acquireLease(owner: other, now: start.addingTimeInterval(5), ttl: .seconds(15)) { _ in true }
        }
        try journal.renewLease(fence: fence, now: start.addingTimeInterval(10), ttl: .seconds(15))
        #expect(throws: JournalError.self) {
            try journal.acquireLease(owner: other, now: start.addingTimeInterval(20), ttl: .seconds(15)) { _ in true }
        }
    }

    @Test("a lease of a dead process on this host is taken over at once; the old holder is fenced off")
    func deadProcessTakeover() throws {
        let journal = try Journal.open(path: path)
        let (oldFence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        let (newFence, tookOver) = try journal.acquireLease(owner: other, now: start.addingTimeInterval(1), ttl: .seconds(15)) { $0 != 1000 }
        #expect(newFence == oldFence + 1)
        #expect(tookOver?.pid == 1000)
        let machine = RunStateMachine(mode: .readOnly)
        #expect(throws: JournalError.fenced(expected: oldFence, current: newFence)) {
            try journal.append(.checks, machine: machine, fence: oldFence, at: start)
        }
        try journal.append(.checks, machine: machine, fence: newFence, at: start)
    }

    @Test("a live holder on another host is taken over only after its lease expires")
    func expiryTakeover() throws {
        let journal = try Journal.open(path: path)
        let remote = LockOwner(user: "ops", host: "host-b", pid: 1000)
        _ = try journal.acquireLease(owner: remote, now: start, ttl: .seconds(15)) { _ in false }
        #expect(throws: JournalError.self) {
            try journal.acquireLease(owner: me, now: start.addingTimeInterval(14), ttl: .seconds(15)) { _ in false }
        }
        let (fence, _) = try journal.acquireLease(owner: me, now: start.addingTimeInterval(16), ttl: .seconds(15)) { _ in false }
        #expect(fence == 2)
    }

    @Test("forced unlock frees the lease and fences the old holder")
    func forcedUnlock() throws {
        let journal = try Journal.open(path: path)
        let (fence, _) = try journal.acquireLease(owner: me, now: start, ttl: .seconds(15)) { _ in true }
        #expect(try journal.forceUnlock()?.pid == 1000)
        #expect(try journal.holder(at: start) == nil)
        let (next, _) = try journal.acquireLease(owner: other, now: start, ttl: .seconds(15)) { _ in true }
        #expect(next == fence + 1)
    }

    @Test("a read-only open of a missing journal creates nothing")
    func readOnlyCreatesNothing() {
        #expect(throws: JournalError.missing(path: path)) { try Journal.open(path: path, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path))
    }
}
