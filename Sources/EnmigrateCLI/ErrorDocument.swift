/// What every verb prints on standard output with `--json` when it fails:
/// `{"error": {"message", "exitCode"}}` (`schemas/output.schema.json#/$defs/error`).
struct ErrorDocument: Encodable {
    let message: String
    let exitCode: Int32

    /// Prints `{"error": self}` as one JSON document.
    func print() {
        try? printJSON(["error": self])
    }
}
