import ExposureExport
import Foundation
import FuzzSupport

/// Small limits so one input stays fast; the checks are the same as with the default ones.
private let limits = ExportLimits(maxArchiveBytes: 1 << 20, maxEntryBytes: 8 << 20, maxKeys: 100_000)

/// A trusted key no fuzz input is signed with: verification runs its parsing of export.sig
/// and signature infos, and must refuse (or, never, accept) without crashing.
private let verifier: ExportVerifier? = {
    let pem = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEAj6I5VXieLYGDWSDKZrpesuxUqY
        NuYbc0fDIQ72ZUbhRfvGK0b6n6761yL9v9macYeXPi1TU5h90I+51S3AdA==
        -----END PUBLIC KEY-----
        """
    guard let key = try? ExportPublicKey(pem: pem) else { return nil }
    return ExportVerifier(trustedKeys: [TrustedKey(keyID: nil, keyVersion: nil, publicKey: key)], policy: .phone)
}()

/// Fuzzes the export-file reader: `ExportArchive.read(zip:)` (ZIPFoundation's central
/// directory and inflate, the entry limits), then `ExportInspection` (export.bin and
/// export.sig protobuf, the anomaly scan) and `ExportVerifier.verify`.
///
/// What must hold, besides not crashing, leaking past the sanitizers or allocating past the
/// limits: every read either returns or throws an `ExportFileError` whose message starts with
/// the file's name; an archive that reads has an `export.bin` entry; and contents that decode,
/// written again by `ExportArchiveWriter` and read back, decode to the same contents (with the
/// writer's signature infos, none here).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(fuzzBytes(data, size))
    let archive: ExportArchive
    do {
        archive = try ExportArchive.read(zip: bytes, name: "fuzz.zip", limits: limits)
    } catch {
        fuzzRequire(error.description.hasPrefix("fuzz.zip: "), "error does not name the file: \(error)")
        return 0
    }
    fuzzRequire(archive.entryNames.contains("export.bin"), "read an archive without export.bin: \(archive.entryNames)")
    if let verifier {
        _ = try? verifier.verify(archive)
    }
    let inspection: ExportInspection
    do {
        inspection = try ExportInspection(archive, limits: limits)
    } catch {
        fuzzRequire(error.description.hasPrefix("fuzz.zip: "), "error does not name the file: \(error)")
        return 0
    }
    fuzzRequire(inspection.exportBinSHA256.count == 64, "digest is not 64 hex digits")
    var expected = inspection.contents
    expected.signatureInfos = []
    do {
        let rewritten = try ExportArchiveWriter(signers: []).archive(for: inspection.contents)
        let again = try ExportArchive.read(zip: rewritten, name: "rewritten.zip").contents()
        fuzzRequire(again == expected, "a rewritten archive decodes differently")
    } catch {
        fuzzRequire(false, "a decoded archive does not write and read back: \(error)")
    }
    return 0
}

/// The program's entry point (SwiftPM links `FuzzArchive_main` as `main`): libFuzzer's driver.
@_cdecl("FuzzArchive_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
