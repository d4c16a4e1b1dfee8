import CaseReport
import Foundation
import Testing
import ZIPFoundation
@testable import ExposureExport

@Suite("Malformed and hostile inputs give typed errors, never a crash")
struct MalformedInputTests {
    private func zip(_ entries: [(String, Data)]) throws -> Data {
        try ExportArchiveWriter.zip(entries)
    }

    private func validZip() throws -> Data {
        let file = try #require(ExportBatch(start: 1, end: 2, region: "US", keys: TestFixtures.keys(40)).files(root: "r", maxKeysPerFile: 100).first)
        return try ExportArchiveWriter(signers: [TestFixtures.signer()]).archive(for: file.contents)
    }

    @Test("every truncation of a valid archive fails with a typed error")
    func truncatedArchives() throws {
        let data = try validZip()
        for length in stride(from: 0, to: data.count, by: 7) {
            do {
                _ = try ExportArchive.read(zip: data.prefix(length), name: "cut").contents()
                Issue.record("a zip cut at \(length) of \(data.count) bytes was accepted")
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test("an archive without export.bin lists what it has")
    func missingEntry() throws {
        let data = try zip([("keys.bin", Data("x".utf8)), ("export.sig", Data())])
        #expect(throws: ExportFileError.missingExportBin(file: "m", entries: ["keys.bin", "export.sig"])) {
            try ExportArchive.read(zip: data, name: "m")
        }
    }

    @Test("an archive with two export.bin (or export.sig) entries is refused: readers disagree on which counts")
    func duplicateEntries() throws {
        let header = Data("EK Export v1    ".utf8)
        let twoBins = try zip([("export.bin", header), ("export.sig", Data()), ("export.bin", header + Data([0x08, 0x01]))])
        #expect(throws: ExportFileError.duplicateEntry(file: "d", entry: "export.bin", count: 2)) {
            try ExportArchive.read(zip: twoBins, name: "d")
        }
        let twoSigs = try zip([("export.bin", header), ("export.sig", Data()), ("export.sig", Data([1]))])
        #expect(throws: ExportFileError.duplicateEntry(file: "d", entry: "export.sig", count: 2)) {
            try ExportArchive.read(zip: twoSigs, name: "d")
        }
        CaseReport.record(
            110, case: "an export file with two `export.bin` (or `export.sig`) entries",
            handling: "refused by every reader (importer, dual-export, `export inspect`, the proof)",
            operatorSees: "error[duplicate-entry]: " + ExportFileError.duplicateEntry(file: "d.zip", entry: "export.bin", count: 2).description,
            test: "MalformedInputTests.duplicateEntries")
    }

    @Test("a wrong header and an undecodable protobuf are told apart")
    func headerAndProtobuf() throws {
        let wrongHeader = try ExportArchive.read(zip: zip([("export.bin", Data("EK Export v2    ".utf8))]), name: "h")
        #expect(throws: ExportFileError.badHeader(file: "h")) { try wrongHeader.contents() }
        let garbage = ExportHeader.bytes + Data([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        let badProto = try ExportArchive.read(zip: zip([("export.bin", garbage)]), name: "p")
        #expect {
            try badProto.contents()
        } throws: { error in
            guard case .undecodableExport(file: "p", _) = error as? ExportFileError else { return false }
            return true
        }
    }

    @Test("an entry over the inflated-size limit is refused")
    func oversizedEntry() throws {
        let data = try zip([("export.bin", ExportHeader.bytes + Data(count: 4096))])
        let limits = ExportLimits(maxArchiveBytes: 1 << 20, maxEntryBytes: 1024, maxKeys: 10)
        #expect(throws: ExportFileError.entryTooLarge(file: "big", entry: "export.bin", limit: 1024)) {
            try ExportArchive.read(zip: data, name: "big", limits: limits)
        }
    }

    @Test("a zip bomb that lies about its size stops at the limit while inflating")
    func lyingZipBomb() throws {
        var data = try zip([("export.bin", Data(count: 8 << 20))])
        #expect(data.count < 64 * 1024)
        // Claim 100 bytes in both the local and the central header, as a bomb would.
        Self.patchDeclaredSize(in: &data, to: 100)
        let limits = ExportLimits(maxArchiveBytes: 1 << 20, maxEntryBytes: 1 << 20, maxKeys: 10)
        #expect {
            try ExportArchive.read(zip: data, name: "bomb", limits: limits)
        } throws: { error in
            guard let error = error as? ExportFileError else { return false }
            return error == .entryTooLarge(file: "bomb", entry: "export.bin", limit: 1 << 20)
                || { if case .corruptEntry = error { return true } else { return false } }()
        }
    }

    @Test("a default-limit zip bomb (128 MiB of zeros) is refused")
    func defaultLimitZipBomb() throws {
        let data = try zip([("export.bin", Data(count: 128 << 20))])
        #expect(throws: ExportFileError.entryTooLarge(file: "bomb", entry: "export.bin", limit: 64 << 20)) {
            try ExportArchive.read(zip: data, name: "bomb")
        }
    }

    @Test("archives over the size limit and files over the key limit are refused")
    func archiveAndKeyLimits() throws {
        let data = try validZip()
        let small = ExportLimits(maxArchiveBytes: 100, maxEntryBytes: 1 << 20, maxKeys: 10)
        #expect(throws: ExportFileError.archiveTooLarge(file: "a", bytes: data.count, limit: 100)) {
            try ExportArchive.read(zip: data, name: "a", limits: small)
        }
        let fewKeys = ExportLimits(maxArchiveBytes: 1 << 20, maxEntryBytes: 1 << 20, maxKeys: 10)
        #expect(throws: ExportFileError.tooManyKeys(file: "k", count: 40, limit: 10)) {
            try ExportArchive.read(zip: data, name: "k", limits: fewKeys).contents(limits: fewKeys)
        }
    }

    @Test("bytes that are neither zip nor export.bin are recognised as such")
    func unknownContent() {
        #expect(ExportArchive.kind(of: Data("hello".utf8)) == .unknown)
        #expect(ExportArchive.kind(of: ExportHeader.bytes) == .bareExportBin)
    }

    /// Found by fuzzing (Fuzzing/Corpus/archive/regression-no-end-record): for bytes with no end
    /// of central directory record ZIPFoundation threw but kept its in-memory file, and with it
    /// the bytes, alive for good: every refused download leaked its whole body.
    @Test("bytes with no zip end record are refused by name and released, not leaked")
    func noEndRecordIsReleased() throws {
        let released = ReleaseFlag()
        do {
            // The fuzzer's minimized input is one "*"; 64 of them keep `Data` from copying
            // the bytes inline, so the deallocator tells when they are released.
            let input = [UInt8](repeating: 0x2A, count: 64)
            let bytes = UnsafeMutableRawPointer.allocate(byteCount: input.count, alignment: 1)
            bytes.copyMemory(from: input, byteCount: input.count)
            let data = Data(
                bytesNoCopy: bytes, count: input.count,
                deallocator: .custom { pointer, _ in
                    pointer.deallocate()
                    released.set()
                })
            #expect(
                throws: ExportFileError.notAnArchive(
                    file: "star", reason: "no end of central directory record (not a zip archive, or cut short)")
            ) {
                try ExportArchive.read(zip: data, name: "star")
            }
        }
        #expect(released.isSet, "the refused bytes are still referenced")
    }

    /// Found by fuzzing (Fuzzing/Corpus/archive/regression-directory-past-end, minimized): an
    /// end record whose central directory offset points past the end of the bytes made
    /// ZIPFoundation's in-memory archive trap ("Range requires lowerBound <= upperBound") and
    /// took the whole process down.
    @Test("a central directory past the end of the bytes is an error naming the file, not a crash")
    func directoryPastTheEnd() throws {
        let data = try #require(Data(base64Encoded: "UEsFBgYFAE9wdGlvbmFsAGwAAGwAAA=="))
        #expect(ExportArchive.kind(of: data) == .zip)
        #expect {
            try ExportArchive.read(zip: data, name: "past-end.zip")
        } throws: { error in
            (error as? ExportFileError)?.description.hasPrefix("past-end.zip: ") == true
        }
    }

    /// Found by fuzzing (a 43 KB input; this is a hand-made 127-byte equivalent, also in
    /// Fuzzing/Corpus/archive/regression-deflate-stream-cut): export.bin is a deflate stream
    /// that never ends (a stored block declaring 65,535 bytes, 4 present). ZIPFoundation fed
    /// zlib from the file until the stream ended, got nothing at the end of the file, and spun
    /// for ever: the reader hung.
    @Test("a deflate stream cut before its end is an error, not a hang", .timeLimit(.minutes(1)))
    func deflateStreamCutShort() throws {
        let data = try #require(
            Data(
                base64Encoded: """
                    UEsDBBQAAAAIAAAAIQClwoBzCQAAABAAAAAKAAAAZXhwb3J0LmJpbgD//wAARUsgRVBLAQIUABQAAAAIAAAAIQClwoBzCQAAABAAAAAK\
                    AAAAAAAAAAAAAACkAQAAAABleHBvcnQuYmluUEsFBgAAAAABAAEAOAAAADEAAAAAAA==
                    """))
        #expect(
            throws: ExportFileError.corruptEntry(
                file: "cut.zip", entry: "export.bin", reason: "the deflate stream ends before its end marker")
        ) {
            try ExportArchive.read(zip: data, name: "cut.zip")
        }
    }

    @Test("an archive read from memory through a temporary file reads as before")
    func readsThroughATemporaryFile() throws {
        let archive = try ExportArchive.read(zip: try validZip(), name: "valid.zip")
        #expect(try archive.contents().keys.count == 40)
        #expect(archive.entryNames == ["export.bin", "export.sig"])
    }

    /// An end record whose comment runs past the data is refused the same way, while one whose
    /// comment fits still reads as an (empty) archive.
    @Test("the end record search agrees with ZIPFoundation's")
    func endRecordSearch() {
        let record: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 16)
        #expect(ExportArchive.hasEndOfCentralDirectory(Data(record + [0, 0])))
        #expect(ExportArchive.hasEndOfCentralDirectory(Data(record + [2, 0] + [0x41, 0x42])))
        #expect(!ExportArchive.hasEndOfCentralDirectory(Data(record + [3, 0] + [0x41, 0x42])))
        #expect(!ExportArchive.hasEndOfCentralDirectory(Data(record)))
        #expect(throws: ExportFileError.missingExportBin(file: "empty", entries: [])) {
            try ExportArchive.read(zip: Data(record + [0, 0]), name: "empty")
        }
    }

    @Test("an export.sig that is not a TEKSignatureList is an anomaly for inspect and a typed error for verify")
    func junkSignature() throws {
        let archive = try ExportArchive.read(zip: validZip(), name: "v")
        let junk = ExportArchive(name: "j", exportBin: archive.exportBin, exportSig: Data("test".utf8))
        #expect(try ExportInspection(junk).anomalies.contains { $0.code == "undecodable-signatures" })
        #expect {
            try ExportVerifier(trustedKeys: [TestFixtures.signer().trustedKey]).verify(junk)
        } throws: { error in
            guard case .unreadable(.undecodableSignatures) = error as? ExportVerificationError else { return false }
            return true
        }
    }

    /// Rewrites the uncompressed-size field of every local (offset 22) and central (offset 24)
    /// header in `data`.
    static func patchDeclaredSize(in data: inout Data, to size: UInt32) {
        let bytes = [UInt8](data)
        for index in 0..<(bytes.count - 4) where bytes[index] == 0x50 && bytes[index + 1] == 0x4B {
            let field: Int? =
                switch (bytes[index + 2], bytes[index + 3]) {
                case (0x03, 0x04): index + 22
                case (0x01, 0x02): index + 24
                default: nil
                }
            guard let field, field + 4 <= bytes.count else { continue }
            for byte in 0..<4 { data[field + byte] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(byte))) }
        }
    }
}

/// Set once from a `Data` deallocator, read by the test afterwards.
private final class ReleaseFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
