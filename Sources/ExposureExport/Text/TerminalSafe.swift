/// Makes text that came from a feed (index lines, file names, reasons quoting them, server
/// answers) safe to print: a feed is written by someone else, and raw control characters in it
/// would clear the operator's screen, retitle the window or print fake lines in colour.
///
/// Control characters are shown, not interpreted: C0 (except a line feed and a tab), DEL and
/// C1 as `\x1b`, `\x7f`, `\x9b`; the bidirectional overrides that reorder what a line appears to
/// say (U+202A–U+202E, U+2066–U+2069) as `\u{202e}`. Everything else, non-ASCII letters
/// included, stays as it is.
public enum TerminalSafe {
    /// `text` with every control character escaped (see the type).
    public static func text(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                escaped.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// A JSON document made safe the way JSON escapes: JSON encoders escape C0 inside strings
    /// already (`\u001b`) but leave DEL, C1 and the bidirectional overrides raw. Outside
    /// strings a JSON document is plain ASCII, so each of those is inside a string and becomes
    /// `\u007f`, `\u009b`, `\u202e`: the same string to a JSON reader, harmless on a terminal.
    public static func json(_ document: String) -> String {
        guard document.unicodeScalars.contains(where: { isUnsafe($0) && $0.value >= 0x7F }) else { return document }
        var escaped = String.UnicodeScalarView()
        for scalar in document.unicodeScalars {
            if isUnsafe(scalar), scalar.value >= 0x7F {
                escaped.append(contentsOf: ("\\u" + hex(scalar.value, width: 4)).unicodeScalars)
            } else {
                escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// Whether `scalar` must not reach a terminal raw.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        scalar.value <= 0xFF ? "\\x" + hex(scalar.value, width: 2) : "\\u{" + String(scalar.value, radix: 16) + "}"
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
