import Foundation

/// Scans keys for what the reference server would never write: unsorted order, duplicate
/// key bytes, lengths other than 16, rolling periods outside 1…144, risk outside 0…8.
struct KeyAnomalyScan {
    let anomalies: [ExportAnomaly]

    init(keys: [ExportKey], label: String) {
        var found: [ExportAnomaly] = []
        var previous: Data?
        var unsortedAt: Int?
        var seen = Set<Data>()
        seen.reserveCapacity(keys.count)
        var duplicates = 0
        var lengths: [Int: Int] = [:]
        var badPeriods = 0
        var badRisk = 0
        for (index, key) in keys.enumerated() {
            if unsortedAt == nil, let previous, ExportKey.bytesPrecede(key.keyData, previous) { unsortedAt = index }
            previous = key.keyData
            if !seen.insert(key.keyData).inserted { duplicates += 1 }
            if key.keyData.count != 16 { lengths[key.keyData.count, default: 0] += 1 }
            if !(1...144).contains(key.rollingPeriod) { badPeriods += 1 }
            if let risk = key.transmissionRiskLevel, !(0...8).contains(risk) { badRisk += 1 }
        }
        if let unsortedAt {
            found.append(ExportAnomaly(code: "unsorted-keys", message: "\(label) are not sorted by key bytes (first at #\(unsortedAt + 1))"))
        }
        if duplicates > 0 {
            found.append(ExportAnomaly(code: "duplicate-keys", message: "\(duplicates) \(label) repeat key bytes seen earlier in the file"))
        }
        if !lengths.isEmpty {
            let detail = lengths.sorted { $0.key < $1.key }.map { "\($0.value)×\($0.key) bytes" }.joined(separator: ", ")
            found.append(ExportAnomaly(code: "odd-key-length", message: "\(label) not 16 bytes long: \(detail)"))
        }
        if badPeriods > 0 {
            found.append(ExportAnomaly(code: "bad-rolling-period", message: "\(badPeriods) \(label) with rolling period outside 1…144"))
        }
        if badRisk > 0 {
            found.append(ExportAnomaly(code: "bad-transmission-risk", message: "\(badRisk) \(label) with transmission risk outside 0…8"))
        }
        anomalies = found
    }
}
