import ExposureExport
import Foundation

// The one place this module's output reaches the terminal. Every line enmigrate prints may
// quote a feed (index entries, file names, reasons naming them), so these shadow the standard
// library's `print` for every file of the module: nothing printed here can carry a raw escape
// sequence (see ``TerminalSafe``). JSON goes through ``printJSON(_:)`` / ``jsonText(_:)``,
// which escape the JSON way first, so the text escaping finds nothing left to change.

/// Prints like the standard library's `print`, with control characters escaped.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    OutputRecord.shared.printedToStandardOutput()
    Swift.print(TerminalSafe.text(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator)
}

/// Prints a message on standard error, with control characters escaped. Commands put every
/// error there, so standard output stays parseable (`--json`).
func printError(_ message: String) {
    OutputRecord.shared.printedError(message)
    FileHandle.standardError.write(Data((TerminalSafe.text(message) + "\n").utf8))
}

/// Encoded JSON as text a terminal cannot be tricked by (DEL, C1 and bidi controls escaped
/// as JSON escapes them; the encoder has escaped C0 already).
func jsonText(_ data: Data) -> String {
    TerminalSafe.json(String(decoding: data, as: UTF8.self))
}
