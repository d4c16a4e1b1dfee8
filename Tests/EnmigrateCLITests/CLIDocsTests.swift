import Foundation
import Testing

/// The committed completions and man pages (scripts/generate-cli-docs) must match the commands
/// as they are declared now, or users get help that lies.
@Suite("completions and man pages are current")
struct CLIDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct ToolInfo: Decodable {
        struct Command: Decodable {
            struct Argument: Decodable {
                struct Name: Decodable {
                    let kind: String
                    let name: String
                }

                let names: [Name]?
                let shouldDisplay: Bool
            }

            let commandName: String
            let arguments: [Argument]?
            let subcommands: [Command]?
        }

        let command: Command
    }

    @Test("the committed completion scripts are what the binary generates", arguments: ["bash", "zsh", "fish"])
    func completions(shell: String) throws {
        let generated = try CommandRunner.run(["--generate-completion-script", shell])
        #expect(generated.status == 0)
        let committed = try String(contentsOf: Self.root.appendingPathComponent("completions/enmigrate.\(shell)"), encoding: .utf8)
        #expect(committed == generated.stdout, "completions/enmigrate.\(shell) is stale: run scripts/generate-cli-docs")
    }

    @Test("every command has a man page that names each of its options")
    func manPages() throws {
        let dump = try CommandRunner.run(["--experimental-dump-help"])
        let info = try JSONDecoder().decode(ToolInfo.self, from: Data(dump.stdout.utf8))
        var stale: [String] = []
        func check(_ command: ToolInfo.Command, path: [String]) throws {
            let page = Self.root.appendingPathComponent("docs/man/\(path.joined(separator: ".")).1")
            guard let text = try? String(contentsOf: page, encoding: .utf8) else {
                stale.append("\(page.lastPathComponent) is missing")
                return
            }
            for argument in command.arguments ?? [] where argument.shouldDisplay {
                for name in argument.names ?? [] where name.kind == "long" && !text.contains(name.name) {
                    stale.append("\(page.lastPathComponent) does not mention --\(name.name)")
                }
            }
            for sub in command.subcommands ?? [] { try check(sub, path: path + [sub.commandName]) }
        }
        try check(info.command, path: ["enmigrate"])
        #expect(stale.isEmpty, "run scripts/generate-cli-docs: \(stale)")
    }
}
