import Foundation

/// The first PEM block of a text: its label (`PUBLIC KEY`, `EC PRIVATE KEY`, …) and the block
/// re-wrapped in the canonical 64-column form.
///
/// Real key files come with one-line bodies, CRLF line ends or stray spaces; swift-crypto's
/// PEM reader wants exactly 64 columns, so the block is normalised here once for every loader.
struct PEMBlock {
    let label: String
    let text: String

    init?(_ content: String) {
        guard let begin = content.range(of: "-----BEGIN ") else { return nil }
        guard let labelEnd = content.range(of: "-----", range: begin.upperBound..<content.endIndex) else {
            return nil
        }
        let label = String(content[begin.upperBound..<labelEnd.lowerBound])
        let endMarker = "-----END \(label)-----"
        guard let end = content.range(of: endMarker, range: labelEnd.upperBound..<content.endIndex) else {
            return nil
        }
        let body = content[labelEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        var lines: [String] = []
        var rest = Substring(body)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        self.label = label
        self.text = (["-----BEGIN \(label)-----"] + lines + [endMarker]).joined(separator: "\n") + "\n"
    }
}
