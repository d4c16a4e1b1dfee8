extension MigrationPhase {
    /// ``definitions`` as a Markdown table (what `enmigrate graph --format table` prints and the
    /// docs show; a test keeps the copies equal): per phase, its gate, its step's workers, what it
    /// keeps doing once the step is done, and the checks that let the run leave it. `planned`
    /// and `complete` do no work and are left out.
    public static func workTable() -> String {
        func names(_ roles: [some RawRepresentable<String>]) -> String {
            roles.isEmpty ? "—" : roles.map { "`\($0.rawValue)`" }.joined(separator: ", ")
        }
        var lines = [
            "| phase | gate before its step | its step (once) | keeps doing | leaves when these pass |",
            "|---|---|---|---|---|",
        ]
        for definition in definitions where !definition.step.isEmpty {
            let phase = "`\(definition.phase.rawValue)`" + (definition.modes.contains(.readOnly) ? "" : " (full)")
            let gate = definition.gate.map { "`\($0.rawValue)`" } ?? "—"
            lines.append(
                "| \(phase) | \(gate) | \(names(definition.step)) | \(names(definition.recurring)) | \(names(definition.exitChecks)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
