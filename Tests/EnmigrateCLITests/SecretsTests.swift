import ExposureExport
import Foundation
import Testing

/// Private keys never leave their files: not into logs, the journal, status (text, JSON, page),
/// the dry run, reports or the rotation request. A whole full migration is rehearsed (its child
/// processes' output is logged in the rehearsal folder), then every byte of every file it
/// produced is searched for each private key in every form it could leak in.
@Suite("secrets: private keys appear in no output, journal or report")
struct SecretsTests {
    /// The forms a private key could leak in: its PEM body lines, its raw scalar as bytes, hex and base64.
    static func forms(of pem: URL) throws -> [(label: String, bytes: Data)] {
        let text = try String(contentsOf: pem, encoding: .utf8)
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        let scalar = try ExportSigningKey.load(contentsOf: pem).key.rawRepresentation
        return body.map { ("PEM line of \(pem.lastPathComponent)", Data($0.utf8)) } + [
            ("raw scalar of \(pem.lastPathComponent)", scalar),
            ("hex scalar of \(pem.lastPathComponent)", Data(scalar.map { String(format: "%02x", $0) }.joined().utf8)),
            ("base64 scalar of \(pem.lastPathComponent)", Data(scalar.base64EncodedString().utf8)),
        ]
    }

    @Test("a rehearsed full migration with faults, plus plan, status and its page, leaks no private key anywhere")
    func noPrivateKeyLeaks() async throws {
        let folder = try PlanFolder.make(mode: "full")
        let rehearsal = folder.appendingPathComponent("rehearsal")
        let run = try await offPool {
            try CommandRunner.run(
                [
                    "rehearse", "plan.yaml", "--days", "3", "--keys-per-day", "100", "--faults", "all", "--seed", "9",
                    "--folder", rehearsal.path,
                ], in: folder)
        }
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        // More outputs an operator sees, in the rehearsal's own folder.
        var outputs = [run.stdout, run.stderr]
        for arguments in [
            ["plan", "plan.yaml"], ["status", "plan.yaml"], ["status", "plan.yaml", "--json"],
            ["status", "plan.yaml", "--html", "status.html"], ["verify", "plan.yaml", "--json"], ["plan", "plan.yaml", "--json"],
        ] {
            let output = try CommandRunner.run(arguments, in: rehearsal)
            outputs += [output.stdout, output.stderr]
        }
        // Every file the run produced, databases included, except the private key files themselves.
        var produced: [(String, Data)] = outputs.enumerated().map { ("output \($0.offset)", Data($0.element.utf8)) }
        let enumerator = FileManager.default.enumerator(at: rehearsal, includingPropertiesForKeys: [.isRegularFileKey])
        var privateKeys: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            if url.lastPathComponent.hasSuffix(".key.pem") { privateKeys.append(url); continue }
            produced.append((url.path.replacingOccurrences(of: rehearsal.path + "/", with: ""), try Data(contentsOf: url)))
        }
        #expect(privateKeys.count == 3)
        #expect(
            produced.contains { $0.0 == "journal.db" } && produced.contains { $0.0.hasPrefix("logs/") }
                && produced.contains { $0.0.hasPrefix("reports/decommission-report") } && produced.contains { $0.0 == "status.html" })
        for key in privateKeys {
            for form in try Self.forms(of: key) {
                for (name, data) in produced where data.range(of: form.bytes) != nil {
                    Issue.record("\(form.label) found in \(name)")
                }
            }
        }
    }
}
