import Foundation
import Testing
@testable import ExposureExport

@Suite("Real export files from 13 public sources", .enabled(if: ConformanceCorpus.isPresent, ConformanceCorpus.absentMessage))
struct ConformanceTests {
    @Test("the corpus lists 38 files, 14 of them verifiable")
    func corpusShape() {
        let rows = ConformanceCorpus.rows()
        #expect(rows.count == 38)
        #expect(rows.filter(\.isVerifiable).count == 14)
    }

    @Test("every file reads, and its decoded metadata matches expected.json", arguments: ConformanceCorpus.rows())
    func metadataMatches(row: ConformanceCorpus.Row) throws {
        if row.parse == "no export.bin entry" {
            #expect {
                try ExportArchive.load(contentsOf: row.url)
            } throws: { error in
                guard case .missingExportBin = error as? ExportFileError else { return false }
                return true
            }
            return
        }
        let archive = try ExportArchive.load(contentsOf: row.url)
        let inspection = try ExportInspection(archive)
        let contents = inspection.contents
        #expect(contents.keys.count == row.keys)
        #expect(contents.revisedKeys.count == (row.revised_keys ?? 0))
        #expect(contents.region == row.region)
        #expect(contents.startTimestamp == row.start)
        #expect(contents.endTimestamp == row.end)
        let binInfos = contents.signatureInfos.map { "\($0.keyID ?? "∅")/\($0.keyVersion ?? "∅")" }
        let expectedBin = (row.signature_infos_bin ?? []).map { "\($0.verification_key_id ?? "∅")/\($0.verification_key_version ?? "∅")" }
        #expect(binInfos == expectedBin)
        if row.sig_error == nil, let expectedSig = row.signature_infos_sig {
            let sigInfos = inspection.signatures.map { "\($0.info.keyID ?? "∅")/\($0.info.keyVersion ?? "∅")" }
            #expect(sigInfos == expectedSig.map { "\($0.verification_key_id ?? "∅")/\($0.verification_key_version ?? "∅")" })
            #expect(inspection.signatures.map { $0.encoding == .der } == row.sig_der)
        }
        if row.sig_error != nil {
            #expect(inspection.anomalies.contains { $0.code == "undecodable-signatures" })
        }
        let codes = Set(inspection.anomalies.map(\.code))
        if let sorted = row.sorted_by_key_data {
            #expect(codes.contains("unsorted-keys") == !sorted)
        }
        if let duplicates = row.duplicate_key_data {
            #expect(codes.contains("duplicate-keys") == (duplicates > 0))
        }
    }

    @Test("the 14 verifiable files verify with their key", arguments: ConformanceCorpus.rows().filter(\.isVerifiable))
    func verifiableFilesVerify(row: ConformanceCorpus.Row) throws {
        let keyPath = try #require(row.keyfiles?.first)
        let key = try ExportPublicKey.load(contentsOf: ConformanceCorpus.folder.appendingPathComponent(keyPath))
        let archive = try ExportArchive.load(contentsOf: row.url)
        let success = try ExportVerifier(trustedKeys: [TrustedKey(keyID: nil, keyVersion: nil, publicKey: key)], policy: .lenient)
            .verify(archive)
        #expect(success.wasRaw == (row.sig_der?.first == false))
        let info = success.signature.info
        let byIDAndVersion = TrustedKey(keyID: info.keyID ?? "", keyVersion: info.keyVersion ?? "", publicKey: key)
        _ = try ExportVerifier(trustedKeys: [byIDAndVersion], policy: .lenient).verify(archive)
    }

    @Test("DER-signed verifiable files pass the phone policy; a foreign key does not verify them")
    func phonePolicyAndForeignKey() throws {
        let foreign = ExportSigningKey.generate().publicKey
        for row in ConformanceCorpus.rows().filter(\.isVerifiable) where row.sig_der?.allSatisfy({ $0 }) == true {
            let key = try ExportPublicKey.load(contentsOf: ConformanceCorpus.folder.appendingPathComponent(try #require(row.keyfiles?.first)))
            let archive = try ExportArchive.load(contentsOf: row.url)
            _ = try ExportVerifier(trustedKeys: [TrustedKey(keyID: nil, keyVersion: nil, publicKey: key)], policy: .phone).verify(archive)
            #expect(throws: ExportVerificationError.self) {
                try ExportVerifier(trustedKeys: [TrustedKey(keyID: nil, keyVersion: nil, publicKey: foreign)]).verify(archive)
            }
        }
    }

    @Test("CWA configuration zips (export.bin without the EK header) fail with badHeader")
    func configurationZipsHaveNoHeader() throws {
        let base = ConformanceCorpus.folder.appendingPathComponent("cwa-server/1991040a4/master-index-test/testout/version/v1/configuration/country/DE")
        for name in ["exposure_configuration", "risk_score_classification"] {
            let archive = try ExportArchive.load(contentsOf: base.appendingPathComponent(name))
            #expect(throws: ExportFileError.badHeader(file: archive.name)) { try archive.contents() }
        }
    }
}
