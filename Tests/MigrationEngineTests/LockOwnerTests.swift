import Testing
@testable import MigrationEngine

@Suite("How the run lock and import claims name a process")
struct LockOwnerTests {
    @Test("a label reads back as the owner it names; other text names none")
    func labelRoundTrip() {
        let owner = LockOwner(user: "ops@team", host: "db-1.example", pid: 4242)
        #expect(owner.label == "ops@team@db-1.example pid 4242")
        #expect(LockOwner(label: owner.label) == owner)
        #expect(LockOwner(label: "ops@host pid x") == nil)
        #expect(LockOwner(label: "ops pid 12") == nil)
        #expect(LockOwner(label: "") == nil)
    }

    @Test("gone means a process of this host that no longer exists")
    func gone() {
        let owner = LockOwner(user: "ops", host: "a", pid: 7)
        #expect(owner.isGone(onHost: "a") { _ in false })
        #expect(!owner.isGone(onHost: "a") { _ in true })
        #expect(!owner.isGone(onHost: "b") { _ in false }, "a process of another host may be alive")
    }
}
