import Foundation
import FuzzSupport
import MigrationPlan

/// An empty folder the plan's relative paths resolve against: key files named by a plan are
/// absent, so validation reports them missing (an error, which is fine).
private let folder: URL = {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("enmigrate-fuzz-plan-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

/// Fuzzes `PlanLoader.load(text:file:folder:)`: the YAML parser (Yams), the plan decoder with
/// its line:column diagnostics, the validation rules and the plan hash. The input is UTF-8
/// text (invalid sequences replaced, as `PlanLoader.load(contentsOf:)` would refuse them).
///
/// What must hold: loading returns (never traps); every diagnostic names the file, at a line
/// and column inside the text; a plan is given exactly when no diagnostic is an error, and then
/// with a hash; loading the same text twice gives the same diagnostics and hash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let result = PlanLoader.load(text: text, file: "fuzz.yaml", folder: folder)
    // Lines are counted like YAML does (\n, \r\n, \r); one more for a position at the very end.
    let lines =
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
        + text.utf8.filter { $0 == UInt8(ascii: "\r") }.count + 1
    for diagnostic in result.diagnostics {
        fuzzRequire(diagnostic.file == "fuzz.yaml", "diagnostic names \(diagnostic.file)")
        fuzzRequire(diagnostic.line >= 1 && diagnostic.line <= lines, "line \(diagnostic.line) of \(lines): \(diagnostic)")
        fuzzRequire(diagnostic.column >= 1, "column \(diagnostic.column): \(diagnostic)")
    }
    let hasErrors = result.diagnostics.contains { $0.severity == .error }
    fuzzRequire((result.plan != nil) == !hasErrors, "plan given \(result.plan != nil), errors \(hasErrors)")
    fuzzRequire(result.plan == nil || result.planHash != nil, "a plan without a hash")
    let again = PlanLoader.load(text: text, file: "fuzz.yaml", folder: folder)
    fuzzRequire(again.planHash == result.planHash, "the same text hashes differently")
    fuzzRequire(again.diagnostics == result.diagnostics, "the same text gives other diagnostics")
    return 0
}

/// The program's entry point (SwiftPM links `FuzzPlan_main` as `main`): libFuzzer's driver.
@_cdecl("FuzzPlan_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
