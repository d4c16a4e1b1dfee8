import Foundation
import Testing

/// The README's promise that what it shows works: every `$ enmigrate …` line of its `console`
/// blocks is run, in order, on the example plan (`plans/read-only.yaml`, with freshly made key
/// files and a small signed client feed in the CDN folder the mirror writes), and must end with the exit code its comment names
/// (`# exit N`; 0 when none does). A command the README shows that is not enmigrate fails the
/// test: then it is not run, so it must not be shown as if it were. The two set-up commands of
/// its `sh` block are run by ReadmeMainCommandTests (scripts/demo) and by CI itself (scripts/test).
@Suite("the README's commands, run as shown")
struct ReadmeCommandsTests {
    struct Shown: CustomStringConvertible {
        let line: String
        let arguments: [String]
        let exitCode: Int32
        var description: String { line }
    }

    static func shownCommands() throws -> [Shown] {
        let readme = try String(contentsOf: ReadmeMainCommandTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        var shown: [Shown] = []
        for block in readme.components(separatedBy: "```console\n").dropFirst() {
            let body = block.components(separatedBy: "```").first ?? ""
            for line in body.split(separator: "\n") where line.hasPrefix("$ ") {
                let text = String(line.dropFirst(2))
                let (command, comment) = split(text)
                let code = comment.flatMap { comment -> Int32? in
                    guard comment.hasPrefix("exit ") else { return nil }
                    return Int32(comment.dropFirst(5).prefix { $0.isNumber })
                }
                shown.append(Shown(line: text, arguments: words(command), exitCode: code ?? 0))
            }
        }
        return shown
    }

    /// The command and its trailing `# comment`, outside quotes.
    static func split(_ line: String) -> (String, String?) {
        var quote: Character?
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", index == line.startIndex || line[line.index(before: index)] == " " {
                return (String(line[..<index]), line[line.index(after: index)...].trimmingCharacters(in: .whitespaces))
            }
        }
        return (line, nil)
    }

    /// Words as a shell splits them (spaces, with single and double quotes).
    static func words(_ command: String) -> [String] {
        var words: [String] = [], word = "", quote: Character?, inWord = false
        for character in command {
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }

    @Test("every `$ enmigrate` line of the README's console blocks runs and exits as its comment says")
    func commandsRunAsShown() throws {
        let shown = try Self.shownCommands()
        #expect(shown.count >= 8, "\(shown)")
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plans = folder.appendingPathComponent("plans")
        // As in production, phones read the client index where the mirror will swap it.
        let made = try PlanFolder.make(clientIndex: "file:srv/state/cdn/exposureKeyExport-US-XX/index.txt", clientFiles: 0)
        try PlanFolder.writeFeed(in: made, cdn: "srv/state/cdn", keyName: "state-client", keyVersion: "v1", files: 3, keysPerFile: 40)
        try FileManager.default.moveItem(at: made, to: plans)
        try FileManager.default.moveItem(at: plans.appendingPathComponent("plan.yaml"), to: plans.appendingPathComponent("read-only.yaml"))
        for command in shown {
            try #require(command.arguments.first == "enmigrate", "the README shows a command no test runs: \(command)")
            let output = try CommandRunner.run(Array(command.arguments.dropFirst()), in: folder)
            #expect(output.status == command.exitCode, "$ \(command): exit \(output.status)\n\(output.stdout.suffix(1500))\n\(output.stderr.suffix(1500))")
        }
    }

    @Test("the README's command lines split as a shell splits them")
    func splitting() {
        #expect(Self.split(#"enmigrate approve p --note "ticket #42" # exit 4"#) == (#"enmigrate approve p --note "ticket #42" "#, "exit 4"))
        #expect(
            Self.words(#"enmigrate approve p --by ana --note "Apple/Google ticket 42""#) == [
                "enmigrate", "approve", "p", "--by", "ana", "--note", "Apple/Google ticket 42",
            ])
    }
}
