import ArgumentParser
import ExposureExport
import Foundation

/// `enmigrate export inspect FILE [--json]`.
struct ExportInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an export file's header, keys, signatures and anomalies.",
        discussion: """
            FILE is recognised by its content, whatever its name: a zip archive, or a bare \
            export.bin (its signature is read from --signature, a sibling export.sig or <name>.sig). \
            Exits 1 when export.bin is missing, its header is wrong, or it does not decode; \
            anything else unusual is listed as an anomaly.
            """
    )

    @Argument(help: "The export file (zip or bare export.bin).")
    var file: String

    @Option(help: "export.sig to use with a bare export.bin.")
    var signature: String?

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    func run() async throws {
        let inspection: ExportInspection
        do {
            let archive = try ExportArchive.load(
                contentsOf: URL(fileURLWithPath: file), signature: signature.map { URL(fileURLWithPath: $0) })
            inspection = try ExportInspection(archive)
        } catch {
            if json { try printJSON(["error": error.description, "code": error.code, "file": file]) }
            printError("error[\(error.code)]: \(error)")
            throw EnmigrateExit.error
        }
        let report = InspectionReport(inspection)
        if json {
            try printJSON(report)
        } else {
            print(report.text)
        }
    }
}
