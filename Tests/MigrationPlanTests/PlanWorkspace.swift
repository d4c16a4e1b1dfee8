import ExposureExport
import Foundation
@testable import MigrationPlan

/// A temporary folder holding a plan and freshly generated key files under `keys/`, the way
/// scripts/make-plan-keys lays them out (private keys mode 600, public halves derived).
struct PlanWorkspace {
    let folder: URL

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-plan-\(UUID().uuidString)")
        let keys = folder.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        for name in ["state-client", "state-to-national", "national"] {
            try ExportSigningKey.generate().writeKeyPair(to: keys, name: name)
        }
    }

    /// Writes `text` as a plan file and loads it.
    func load(_ text: String, name: String = "plan.yaml") throws -> PlanLoadResult {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return PlanLoader.load(contentsOf: url, displayName: name)
    }

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    static var base: String { (try? fixture("base.yaml")) ?? "" }
}

extension PlanLoadResult {
    var errors: [PlanDiagnostic] { diagnostics.filter { $0.severity == .error } }
}
