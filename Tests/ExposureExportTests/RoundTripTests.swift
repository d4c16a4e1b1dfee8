import Crypto
import Foundation
import Testing
@testable import ExposureExport

@Suite("Writing, reading and verifying round trips")
struct RoundTripTests {
    let signer = TestFixtures.signer()

    private func roundTrip(_ keys: [ExportKey]) throws -> (ExportArchive, Data) {
        let batch = ExportBatch(start: 1_600_000_000, end: 1_600_086_400, region: "US-XX", keys: keys)
        let file = try #require(batch.files(root: "exposureKeyExport-US-XX", maxKeysPerFile: 1000).first)
        let zip = try ExportArchiveWriter(signers: [signer]).archive(for: file.contents)
        return (try ExportArchive.read(zip: zip, name: file.name), zip)
    }

    @Test("a built archive verifies and decodes to the same keys, sorted by key bytes")
    func builtArchiveVerifiesAndDecodes() throws {
        let keys = TestFixtures.keys(300)
        let (archive, _) = try roundTrip(keys)
        let success = try ExportVerifier(trustedKeys: [signer.trustedKey]).verify(archive)
        #expect(success.signature.info.label == "310.v1")
        #expect(success.signature.encoding == .der)
        let contents = try archive.contents()
        #expect(contents.keys == keys.sorted(by: ExportKey.byKeyBytes))
        #expect(contents.region == "US-XX")
        #expect(contents.signatureInfos == [signer.info])
        #expect(archive.entryNames == ["export.bin", "export.sig"])
    }

    @Test("rolling period 144 is left out of the file, other values are written")
    func rollingPeriodDefaultOmitted() throws {
        let (archive, _) = try roundTrip(TestFixtures.keys(14))
        for key in try archive.contents().keys {
            #expect(key.hasExplicitRollingPeriod == (key.rollingPeriod != 144))
        }
    }

    @Test("changing any byte of export.bin, header included, makes verification fail")
    func tamperingWithExportBinFails() throws {
        let (archive, _) = try roundTrip(TestFixtures.keys(5))
        let verifier = ExportVerifier(trustedKeys: [signer.trustedKey])
        for offset in 0..<archive.exportBin.count {
            var tampered = archive.exportBin
            tampered[offset] ^= 0x01
            let changed = ExportArchive(name: "t", exportBin: tampered, exportSig: archive.exportSig)
            #expect(throws: ExportVerificationError.self, "byte \(offset)") { try verifier.verify(changed) }
        }
    }

    @Test("changing any byte of the signature makes verification fail")
    func tamperingWithSignatureFails() throws {
        let (archive, _) = try roundTrip(TestFixtures.keys(5))
        let verifier = ExportVerifier(trustedKeys: [signer.trustedKey])
        var signatures = try archive.signatures()
        let original = signatures[0].bytes
        for offset in 0..<original.count {
            var bytes = original
            bytes[offset] ^= 0x01
            signatures[0].bytes = bytes
            var list = TEKSignatureList()
            list.signatures = signatures.map(\.message)
            let changed = ExportArchive(name: "t", exportBin: archive.exportBin, exportSig: try list.serializedBytes())
            #expect(throws: ExportVerificationError.self, "signature byte \(offset)") { try verifier.verify(changed) }
        }
    }

    @Test("a changed header is refused before anything is decoded")
    func headerTamperingRefused() throws {
        let (archive, _) = try roundTrip(TestFixtures.keys(3))
        var tampered = archive.exportBin
        tampered[3] = UInt8(ascii: "e")
        let changed = ExportArchive(name: "t", exportBin: tampered, exportSig: archive.exportSig)
        #expect(throws: ExportFileError.badHeader(file: "t")) { try changed.contents() }
    }

    @Test("export.bin and the zip layout are identical for the same input")
    func deterministicOutput() throws {
        let keys = TestFixtures.keys(50)
        let (first, firstZip) = try roundTrip(keys)
        let (second, secondZip) = try roundTrip(keys.reversed())
        #expect(first.exportBin == second.exportBin)
        // The export.bin entry (local header + deflated data) comes first and is byte-identical;
        // only export.sig differs, because ECDSA signatures are randomized.
        let secondEntry = try #require(firstZip.dropFirst(4).firstRange(of: Data([0x50, 0x4B, 0x03, 0x04])))
        #expect(firstZip[..<secondEntry.lowerBound] == secondZip[..<secondEntry.lowerBound])
    }

    @Test("a batch over the limit splits into numbered files; end_timestamp is bumped, names keep the batch end")
    func splitBatches() throws {
        let batch = ExportBatch(start: 100, end: 200, region: "US", keys: TestFixtures.keys(2500), revisedKeys: TestFixtures.keys(10, seed: 9))
        let files = batch.files(root: "r", maxKeysPerFile: 1000)
        #expect(files.map(\.name) == ["r/100-200-00001.zip", "r/100-200-00002.zip", "r/100-200-00003.zip"])
        #expect(files.map(\.contents.endTimestamp) == [201, 202, 203])
        #expect(files.map { $0.contents.keys.count + $0.contents.revisedKeys.count } == [1000, 1000, 510])
        #expect(files[2].contents.revisedKeys.count == 10)
        let single = ExportBatch(start: 100, end: 200, region: "US", keys: TestFixtures.keys(3)).files(root: "r", maxKeysPerFile: 1000)
        #expect(single.map(\.contents.endTimestamp) == [200])
        #expect(ExportBatch(start: 1, end: 2, region: "US", keys: []).files(root: "r", maxKeysPerFile: 10).isEmpty)
    }

    @Test("two signers give two signatures in the same order in export.bin and export.sig; each verifies")
    func dualSigning() throws {
        let second = TestFixtures.signer(id: "310", version: "v2")
        let file = try #require(ExportBatch(start: 1, end: 2, region: "US", keys: TestFixtures.keys(4)).files(root: "r", maxKeysPerFile: 10).first)
        let archive = try ExportArchive.read(zip: ExportArchiveWriter(signers: [second, signer]).archive(for: file.contents), name: "d")
        #expect(try archive.contents().signatureInfos.map(\.label) == ["310.v2", "310.v1"])
        #expect(try archive.signatures().map(\.info.label) == ["310.v2", "310.v1"])
        #expect(try ExportVerifier(trustedKeys: [signer.trustedKey]).verify(archive).signature.info.label == "310.v1")
        #expect(try ExportVerifier(trustedKeys: [second.trustedKey]).verify(archive).signature.info.label == "310.v2")
    }

    @Test("re-signing keeps the content and swaps the signature to the new key")
    func resign() throws {
        let (archive, _) = try roundTrip(TestFixtures.keys(20))
        let other = TestFixtures.signer(id: "310", version: "v9")
        let resigned = try ExportArchive.read(zip: ExportArchiveWriter(signers: [other]).resign(archive), name: "re")
        #expect(try resigned.contents().keys == archive.contents().keys)
        _ = try ExportVerifier(trustedKeys: [other.trustedKey]).verify(resigned)
        #expect(throws: ExportVerificationError.self) { try ExportVerifier(trustedKeys: [signer.trustedKey]).verify(resigned) }
    }

    @Test("key id and version select the signature; a mismatch names what the file has")
    func selectionByKeyIDAndVersion() throws {
        let (archive, _) = try roundTrip(TestFixtures.keys(2))
        let wrongVersion = TrustedKey(keyID: "310", keyVersion: "v2", publicKey: signer.key.publicKey)
        #expect(throws: ExportVerificationError.noMatchingSignature(file: archive.name, wanted: ["310.v2"], available: ["310.v1"])) {
            try ExportVerifier(trustedKeys: [wrongVersion]).verify(archive)
        }
    }

    @Test("a raw r||s signature verifies leniently and is refused by the phone policy")
    func rawSignatures() throws {
        let (archive, _) = try roundTrip(TestFixtures.keys(2))
        let raw = try signer.key.key.signature(for: SHA256.hash(data: archive.exportBin)).rawRepresentation
        var list = TEKSignatureList()
        list.signatures = [ExportSignature(info: signer.info, bytes: raw).message]
        let rawArchive = ExportArchive(name: "raw", exportBin: archive.exportBin, exportSig: try list.serializedBytes())
        #expect(try ExportVerifier(trustedKeys: [signer.trustedKey], policy: .lenient).verify(rawArchive).wasRaw)
        #expect(throws: ExportVerificationError.rawSignatureRefused(file: "raw", label: "310.v1")) {
            try ExportVerifier(trustedKeys: [signer.trustedKey], policy: .phone).verify(rawArchive)
        }
        #expect(try ExportInspection(rawArchive).anomalies.contains { $0.code == "raw-signature" })
    }
}

@Suite("Key order")
struct KeyOrderTests {
    @Test("the fast 16-byte sort gives the same order as a byte-wise comparison, ties in input order")
    func fastSortMatchesByteOrder() {
        var keys = TestFixtures.keys(2000, seed: 7)
        keys += keys.prefix(50).map {
            var copy = $0; copy.rollingPeriod = 10; return copy
        }
        let fast = ExportKey.sortedByKeyBytes(keys)
        let reference = keys.enumerated().sorted {
            $0.element.keyData.lexicographicallyPrecedes($1.element.keyData)
                || ($0.element.keyData == $1.element.keyData && $0.offset < $1.offset)
        }.map(\.element)
        #expect(fast == reference)
        let odd = keys + [ExportKey(keyData: Data([0x00, 0x01]))]
        #expect(ExportKey.sortedByKeyBytes(odd).first?.keyData == Data([0x00, 0x01]))
    }
}
