import CaseReport
import ExposureExport
import Foundation
import Testing

/// Issue 20 as an operator meets it: odd keys, and feeds whose text is hostile, through the
/// real `apply` and `status`.
@Suite("Hostile and mistaken input through the commands")
struct HostileInputCommandTests {
    /// Appends one client file of `keys` (day `day`) to the plan folder's client feed.
    @discardableResult
    static func addClientFile(_ keys: [ExportKey], day: Int, in folder: URL) throws -> String {
        let key = try ExportSigningKey.load(contentsOf: folder.appendingPathComponent("keys/state-client.key.pem"))
        let writer = ExportArchiveWriter(signers: [ExportSigner(key: key, keyID: "310", keyVersion: "v1")])
        let start: UInt64 = 1_793_491_200 + UInt64(day) * 86_400
        let file = try #require(
            ExportBatch(start: start, end: start + 86_400, region: "US-XX", keys: keys)
                .files(root: PlanFolder.clientRoot, maxKeysPerFile: 100_000).first)
        let cdn = folder.appendingPathComponent("client-cdn")
        try writer.archive(for: file.contents).write(to: cdn.appendingPathComponent(file.name))
        let indexURL = cdn.appendingPathComponent("\(PlanFolder.clientRoot)/index.txt")
        let names = try String(contentsOf: indexURL, encoding: .utf8).split(separator: "\n").map(String.init) + [file.name]
        try Data(ExportIndex(entries: names).text.utf8).write(to: indexURL)
        return file.name
    }

    static func key(_ data: Data, period: Int32 = 144, day: Int) -> ExportKey {
        ExportKey(
            keyData: data, transmissionRiskLevel: 4, rollingStartIntervalNumber: Int32((1_793_491_200 + UInt64(day) * 86_400) / 600) - 288,
            rollingPeriod: period, reportType: 1, daysSinceOnsetOfSymptoms: 1)
    }

    static func random() -> Data { Data((0..<16).map { _ in UInt8.random(in: 0...255) }) }

    @Test("keys of rolling period 0 and 145 and of 15, 17 and 0 bytes are named per reason with their counts by apply and status, with the accept-loss hint")
    func refusedKeys() async throws {
        let folder = try PlanFolder.make(clientFiles: 2, keysPerFile: 10)
        let odd = [
            Self.key(Self.random(), period: 0, day: 2), Self.key(Self.random(), period: 145, day: 2),
            Self.key(Data(repeating: 1, count: 15), day: 2), Self.key(Data(repeating: 2, count: 17), day: 2),
            Self.key(Data(), day: 2),
        ]
        let name = try Self.addClientFile(odd + (0..<5).map { _ in Self.key(Self.random(), day: 2) }, day: 2, in: folder)
        let apply = try await offPool { try CommandRunner.run(["apply", "plan.yaml", "--once"], in: folder) }
        for text in [
            "5 keys refused by rule", "key-length 3", "key data is 0 bytes, not 16: 1", "key data is 15 bytes, not 16: 1",
            "key data is 17 bytes, not 16: 1", "rolling-period 2", "rolling period 0 is outside 1…144: 1",
            "rolling period 145 is outside 1…144: 1",
        ] {
            #expect(apply.stdout.contains(text), "\(text)\n\(apply.stdout)\n\(apply.stderr)")
        }

        let status = try await offPool { try CommandRunner.run(["status", "plan.yaml"], in: folder) }
        #expect(status.stdout.contains("refused keys (by rule; not in the national key store):"), "\(status.stdout)")
        #expect(
            status.stdout.contains(
                "\(name): 5 keys refused by rule: key-length 3 (key data is 0 bytes, not 16: 1; key data is 15 bytes, not 16: 1; key data is 17 bytes, not 16: 1), rolling-period 2 (rolling period 0 is outside 1…144: 1; rolling period 145 is outside 1…144: 1)"
            ), "\(status.stdout)")
        #expect(status.stdout.contains("enmigrate accept-loss plan.yaml --file \(name) --by NAME --note WHY"), "\(status.stdout)")
        #expect(status.stdout.contains("5 keys refused by rule: key-length 3"), "\(status.stdout)")

        let json = try await offPool { try CommandRunner.run(["status", "plan.yaml", "--json"], in: folder) }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        let refused = try #require((document["refusedKeys"] as? [[String: Any]])?.first, "\(json.stdout)")
        #expect(refused["total"] as? Int == 5 && refused["stateFile"] as? String == name)
        let reasons = (refused["reasons"] as? [[String: Any]] ?? []).map { "\($0["code"] ?? ""):\($0["count"] ?? 0):\($0["reason"] ?? "")" }
        #expect(
            reasons == [
                "key-length:1:key data is 0 bytes, not 16", "key-length:1:key data is 15 bytes, not 16",
                "key-length:1:key data is 17 bytes, not 16", "rolling-period:1:rolling period 0 is outside 1…144",
                "rolling-period:1:rolling period 145 is outside 1…144",
            ], "\(json.stdout)")

        let accepted = try await offPool {
            try CommandRunner.run(["accept-loss", "plan.yaml", "--file", name, "--by", "alice", "--note", "refused by rule"], in: folder)
        }
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let after = try await offPool { try CommandRunner.run(["status", "plan.yaml"], in: folder) }
        #expect(after.stdout.contains("loss accepted by alice") && !after.stdout.contains("enmigrate accept-loss plan.yaml --file"), "\(after.stdout)")
    }
}

extension HostileInputCommandTests {
    /// Whether any byte of `text` is a control character a terminal would act on.
    static func rawControls(_ text: String) -> [String] {
        text.unicodeScalars.filter { $0 != "\n" && $0 != "\t" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) }
            .map { String($0.value, radix: 16) }
    }

    @Test("an index line carrying escape sequences reaches the output of apply and status (text and JSON) only escaped")
    func escapeSequencesInIndex() async throws {
        let folder = try PlanFolder.make(clientFiles: 2, keysPerFile: 10)
        let indexURL = folder.appendingPathComponent("client-cdn/\(PlanFolder.clientRoot)/index.txt")
        let hostile = "\(PlanFolder.clientRoot)/\u{1b}[2J\u{1b}]0;title\u{07}FAKE: coverage passed\u{9b}31m"
        let names = try String(contentsOf: indexURL, encoding: .utf8).split(separator: "\n").map(String.init)
        try Data(ExportIndex(entries: names + [hostile]).text.utf8).write(to: indexURL)
        let escaped = #"\x1b[2J\x1b]0;title\x07FAKE: coverage passed\x9b31m"#
        for arguments in [
            ["apply", "plan.yaml", "--once"], ["status", "plan.yaml"], ["apply", "plan.yaml", "--once", "--json"],
            ["status", "plan.yaml", "--json"], ["verify", "plan.yaml"], ["verify", "plan.yaml", "--json"],
        ] {
            let output = try await offPool { try CommandRunner.run(arguments, in: folder) }
            #expect(
                Self.rawControls(output.stdout).isEmpty && Self.rawControls(output.stderr).isEmpty,
                "\(arguments): \(Self.rawControls(output.stdout + output.stderr))")
            let json = arguments.contains("--json")
            #expect(
                (output.stdout + output.stderr).contains(json ? #"\u001b[2J\u001b]0;title\u0007FAKE: coverage passed\u009b31m"# : escaped),
                "\(arguments)\n\(output.stdout)\n\(output.stderr)")
            if arguments == ["status", "plan.yaml"], let line = (output.stdout + output.stderr).split(separator: "\n").first(where: { $0.contains(escaped) }) {
                CaseReport.record(
                    60, case: "ANSI/OSC escape sequences in an index line", handling: "entry kept as data, never printed raw",
                    operatorSees: "`status`: " + line + " — in JSON `\\u001b…`, `\\u009b`",
                    test: "HostileInputCommandTests.escapeSequencesInIndex, TerminalSafeTests")
            }
        }
    }
}
