import ExposureExport
import Foundation
import MigrationPlan

/// Validates a generated plan of about 500 lines (a long trusted-key history, commented)
/// many times and reports the mean, so "well under a second" is a measured figure.
@main
enum PlanBenchmark {
    static func main() throws {
        let runs = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 50
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-plan-bench-\(UUID().uuidString)")
        let keys = folder.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["state-client", "state-to-national", "national"] {
            try ExportSigningKey.generate().writeKeyPair(to: keys, name: name)
        }
        let plan = folder.appendingPathComponent("plan.yaml")
        let text = generatedPlan()
        try text.write(to: plan, atomically: true, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count

        let first = PlanLoader.load(contentsOf: plan)
        precondition(first.isValid, "generated plan invalid: \(first.diagnostics)")
        let start = ContinuousClock.now
        for _ in 0..<runs { _ = PlanLoader.load(contentsOf: plan) }
        let elapsed = ContinuousClock.now - start
        let mean = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / Double(runs)
        print("plan:      \(lines) lines, \(first.plan?.national.trustedStateKeys.count ?? 0) trusted keys")
        print(String(format: "validate:  %.2f ms mean over %d runs (parse, decode, every rule, key files)", mean * 1000, runs))
    }

    static func generatedPlan() -> String {
        var text = """
            version: 1
            name: bench
            mode: full
            state:
              region: US-XX
              clientFeed:
                index: https://cdn.state.example/exposureKeyExport-US-XX/index.txt
                key: { id: "310", version: "v1", publicKey: keys/state-client.pub.pem }
              secondFeed:
                location: file:///srv/state/to-national/
                root: exposureKeyExport-US-XX
                source: clientFeed
                period: 24h
                key: { id: "310", version: "v2", privateKey: keys/state-to-national.key.pem }
              clientMirror:
                location: file:///srv/state/cdn/
                root: exposureKeyExport-US-XX
            national:
              feed:
                index: https://national.example/exposureKeyExport-US/index.txt
                key: { id: "310", version: "v3", publicKey: keys/national.pub.pem }
              keyStore: sqlite:national.db
              trustedStateKeys:
                - { id: "310", version: "v2", publicKey: keys/state-to-national.pub.pem }

            """
        for index in 0..<118 {
            text += """
                    # retired key \(index) of the state's history
                    - id: "311"
                      version: "r\(index)"
                      publicKey: keys/state-to-national.pub.pem

                """
        }
        return text
    }
}
