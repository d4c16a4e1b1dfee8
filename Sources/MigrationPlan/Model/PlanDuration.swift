/// Plan durations: an integer and a unit (`ms`, `s`, `m`, `h`), chainable (`1h30m`), > 0.
enum PlanDuration {
    static func parse(_ text: String) -> Duration? {
        var total: Int64 = 0
        var digits = ""
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while let character = rest.first {
            if character.isASCII, character.isNumber {
                digits.append(character)
                rest = rest.dropFirst()
                continue
            }
            guard let value = Int64(digits) else { return nil }
            let milliseconds: Int64
            if rest.hasPrefix("ms") {
                milliseconds = 1
                rest = rest.dropFirst(2)
            } else {
                switch character {
                case "s": milliseconds = 1000
                case "m": milliseconds = 60_000
                case "h": milliseconds = 3_600_000
                default: return nil
                }
                rest = rest.dropFirst()
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: milliseconds)
            guard !overflow else { return nil }
            total += product
            digits = ""
        }
        guard digits.isEmpty, total > 0 else { return nil }
        return .milliseconds(total)
    }

    static func format(_ duration: Duration) -> String {
        var milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        var text = ""
        for (unit, size) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000), ("ms", 1)] where milliseconds >= size {
            text += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return text.isEmpty ? "0s" : text
    }
}
