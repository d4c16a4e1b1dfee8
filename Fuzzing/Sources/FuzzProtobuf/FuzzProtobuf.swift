import ExposureExport
import Foundation
import FuzzSupport

private let limits = ExportLimits(maxArchiveBytes: 1 << 20, maxEntryBytes: 8 << 20, maxKeys: 100_000)

/// Fuzzes the protobuf decoding of export.bin (`TemporaryExposureKeyExport`, after the
/// 16-byte header this target adds) and export.sig (`TEKSignatureList`, the same bytes) through
/// `ExportArchive.contents()` and `signatures()`, without the zip layer in front.
///
/// What must hold: each decode returns or throws an `ExportFileError` naming the file; and
/// contents that decode re-encode (`exportBinBytes()`) to bytes that decode to the same
/// contents and re-encode to the same bytes (decode then encode is a fixed point).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(fuzzBytes(data, size))
    let archive = ExportArchive(name: "fuzz.bin", exportBin: ExportHeader.bytes + body, exportSig: body)
    do {
        // How a signature is encoded (DER or raw r‖s) is judged from its bytes: exercise it.
        _ = try archive.signatures().map(\.encoding)
    } catch {
        fuzzRequire(error.description.hasPrefix("fuzz.bin: "), "error does not name the file: \(error)")
    }
    let contents: ExportFileContents
    do {
        contents = try archive.contents(limits: limits)
    } catch {
        fuzzRequire(error.description.hasPrefix("fuzz.bin: "), "error does not name the file: \(error)")
        return 0
    }
    let encoded = contents.exportBinBytes()
    do {
        let again = try ExportArchive(name: "again.bin", exportBin: encoded, exportSig: nil).contents(limits: limits)
        fuzzRequire(again == contents, "re-encoded contents decode differently")
        fuzzRequire(again.exportBinBytes() == encoded, "encoding is not a fixed point")
    } catch {
        fuzzRequire(false, "re-encoded contents do not decode: \(error)")
    }
    return 0
}

/// The program's entry point (SwiftPM links `FuzzProtobuf_main` as `main`): libFuzzer's driver.
@_cdecl("FuzzProtobuf_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
