import ExposureExport
import Foundation
import MigrationStores
import Testing
@testable import MigrationWorkers

@Suite("The coverage proof reads feeds the way phones do")
struct CoverageTests {
    func reader(_ fixture: FeedFixture, _ key: TrustedKey) -> PhoneFeedReader {
        PhoneFeedReader(store: fixture.store, indexPath: "\(fixture.root)/index.txt", key: key, environment: testEnvironment())
    }

    @Test("every state key found by its bytes holds, whatever the metadata; the digest depends on the keys only")
    func holds() async throws {
        var state = FeedFixture()
        var national = FeedFixture(root: "exposureKeyExport-US")
        let keys = FeedFixture.keys(30)
        try await state.add(Array(keys[0..<15]), signer: TestKeys.client)
        try await state.add(Array(keys[15...]), signer: TestKeys.client)
        // The national side carries the same keys with other metadata, in other files, plus more.
        let changed = keys.map { ExportKey(keyData: $0.keyData, transmissionRiskLevel: 6, rollingStartIntervalNumber: $0.rollingStartIntervalNumber) }
        try await national.add(changed + FeedFixture.keys(5), signer: TestKeys.national)
        let report = CoverageReport.compare(
            state: try await reader(state, TestKeys.client.trustedKey).read(),
            national: try await reader(national, TestKeys.national.trustedKey).read())
        #expect(report.holds)
        #expect(report.state.keys == 30 && report.national.keys == 35)
        let sameKeys = FeedKeySet(
            files: ["x"], keys: Dictionary(uniqueKeysWithValues: keys.compactMap { DiagnosisKeyID($0.keyData) }.map { ($0, FeedKeySet.Origin(file: 0)) }))
        #expect(sameKeys.digest == report.state.digest)
    }

    @Test("missing keys are counted by state file; files that do not verify are listed, not counted")
    func missing() async throws {
        var state = FeedFixture()
        var national = FeedFixture(root: "exposureKeyExport-US")
        let first = FeedFixture.keys(10)
        let second = FeedFixture.keys(7)
        try await state.add(first, signer: TestKeys.client)
        try await state.add(second, signer: TestKeys.client)
        try await state.add(FeedFixture.keys(4), signer: TestKeys.forger)
        try await national.add(first + Array(second[0..<3]), signer: TestKeys.national)
        let report = CoverageReport.compare(
            state: try await reader(state, TestKeys.client.trustedKey).read(),
            national: try await reader(national, TestKeys.national.trustedKey).read())
        #expect(!report.holds)
        #expect(report.missingKeys == 4)
        #expect(report.missingByFile == [.init(file: state.files[1].name, missing: 4)])
        #expect(report.state.rejectedFiles.map(\.file) == [state.files[2].name])
        #expect(report.verdict == .fails)
        #expect(report.summary.contains("4 of 17 state keys are missing from the national feed"))
        #expect(report.summary(comparedWith: CutOverCoverageCheck.target).contains("missing from the client index phones read ("))
    }

    @Test("the snapshot reads back to the same set and refuses a changed file")
    func snapshot() async throws {
        var state = FeedFixture()
        try await state.add(FeedFixture.keys(50), signer: TestKeys.client)
        let set = try await reader(state, TestKeys.client.trustedKey).read()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-snapshot-\(UUID().uuidString)")
        try CoverageSnapshot.write(set, to: .file(url))
        let back = try CoverageSnapshot.read(from: .file(url))
        // The baseline keeps each key's file and end interval (not the report type: only the other feed's matters).
        #expect(back.keys.mapValues { [$0.file, $0.endInterval] } == set.keys.mapValues { [$0.file, $0.endInterval] })
        #expect(back.files == set.files && back.indexDigest == set.indexDigest && back.fileVersions == set.fileVersions)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 25] ^= 0x01
        try bytes.write(to: url)
        #expect(throws: CoverageSnapshot.Unreadable.self) { try CoverageSnapshot.read(from: .file(url)) }
    }

    @Test("a proof that held stands while both indexes are unchanged; a new file on either side calls for a new proof")
    func stillHolds() async throws {
        var state = FeedFixture()
        var national = FeedFixture(root: "exposureKeyExport-US")
        let keys = FeedFixture.keys(12)
        try await state.add(keys, signer: TestKeys.client)
        try await national.add(keys, signer: TestKeys.national)
        let prover = CoverageProver(
            state: reader(state, TestKeys.client.trustedKey), national: reader(national, TestKeys.national.trustedKey),
            snapshot: .file(FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-proof-\(UUID().uuidString)")))
        #expect(try await prover.stillHolds() == false)
        #expect(try await prover.prove().holds)
        #expect(try await prover.stillHolds())
        try await national.add(FeedFixture.keys(3), signer: TestKeys.national)
        #expect(try await prover.stillHolds() == false)
        #expect(try await prover.prove().holds)
        try await state.add(FeedFixture.keys(3), signer: TestKeys.client)
        #expect(try await prover.stillHolds() == false)
        #expect(try await prover.prove().holds == false)
        #expect(try await prover.stillHolds() == false, "a proof that failed never stands")
    }
}
