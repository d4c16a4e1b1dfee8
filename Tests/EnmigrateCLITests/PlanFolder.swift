import ExposureExport
import Foundation

/// A temporary folder with plans/read-only.yaml as `plan.yaml` (its /srv locations moved
/// inside the folder) and freshly generated key files under keys/.
enum PlanFolder {
    static let examplePlan = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("plans/read-only.yaml")

    static func make(mode: String = "read-only") throws -> URL {
        let folder = try CommandRunner.temporaryFolder()
        for name in ["state-client", "state-to-national", "national"] {
            try ExportSigningKey.generate().writeKeyPair(to: folder.appendingPathComponent("keys"), name: name)
        }
        let text = try String(contentsOf: examplePlan, encoding: .utf8)
            .replacingOccurrences(of: "file:///srv/", with: "file:srv/")
            .replacingOccurrences(of: "mode: read-only ", with: "mode: \(mode) ")
        try text.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
        return folder
    }
}
