import ExposureExport
import Foundation
import FuzzSupport

/// Fuzzes `ExportIndex.parse`, the reader of a feed's index.txt: the input as UTF-8 text
/// (invalid sequences replaced, as a feed reader does), parsed once without a root and once
/// with the root `exposureKeyExport-US`.
///
/// What must hold: parse returns or throws an `ExportIndexError` that names the file and
/// lists at least one problem, each with a line inside the text; an index that parses has
/// byte-sorted, unique, non-empty, trimmed entries that stay under the root; and its `text`
/// parses back to the same index, as does `ExportIndex(entries:)` of its entries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let lineCount = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
    for root in [nil, "exposureKeyExport-US"] {
        let index: ExportIndex
        do {
            index = try ExportIndex.parse(text, file: "fuzz/index.txt", root: root)
        } catch {
            fuzzRequire(error.file == "fuzz/index.txt" && !error.problems.isEmpty, "an error without problems: \(error)")
            for problem in error.problems {
                fuzzRequire((1...lineCount).contains(problem.line), "problem on line \(problem.line) of \(lineCount)")
            }
            fuzzRequire(error.description.contains("fuzz/index.txt"), "error does not name the file: \(error)")
            continue
        }
        for (previous, entry) in zip(index.entries, index.entries.dropFirst()) {
            fuzzRequire(previous.utf8.lexicographicallyPrecedes(entry.utf8), "entries not strictly byte-sorted: \(previous) then \(entry)")
        }
        for entry in index.entries {
            fuzzRequire(!entry.isEmpty && entry == entry.trimmingCharacters(in: .whitespacesAndNewlines), "untrimmed entry \(entry.debugDescription)")
            fuzzRequire(!entry.hasPrefix("/") && !entry.contains("://"), "entry escapes the root: \(entry)")
            if let root { fuzzRequire(entry.hasPrefix(root + "/"), "entry outside the root: \(entry)") }
        }
        do {
            let again = try ExportIndex.parse(index.text, file: "again/index.txt", root: root)
            fuzzRequire(again == index, "the index's text parses to a different index")
        } catch {
            fuzzRequire(false, "the index's own text does not parse: \(error)")
        }
        fuzzRequire(ExportIndex(entries: index.entries) == index, "init(entries:) changes a parsed index")
        _ = index.urls(base: URL(string: "https://cdn.example/")!)
    }
    return 0
}

/// The program's entry point (SwiftPM links `FuzzIndex_main` as `main`): libFuzzer's driver.
@_cdecl("FuzzIndex_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
