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
            let page = Self.root.appendingPathComponent("docs/man/\(path.joined(separator: "-")).1")
            guard let text = try? String(contentsOf: page, encoding: .utf8) else {
                stale.append("\(page.lastPathComponent) is missing")
                return
            }
            // The real exit codes, not "0 on success, >0 on error"; where each variable is read.
            if !text.contains(".It 7") || !text.contains(".It 64") || text.contains(".Ex -std") || !text.contains(".Sh ENVIRONMENT") {
                stale.append("\(page.lastPathComponent) lacks the exit codes or ENVIRONMENT (scripts/finish-man-pages)")
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

    @Test("`man enmigrate-apply` finds its page once the pages are installed, and `man 5 enmigrate-plan` the plan format")
    func manLookup() throws {
        let pages = Self.root.appendingPathComponent("docs/man")
        for name in ["enmigrate-apply.1", "enmigrate-approve.1", "enmigrate-export-build.1", "enmigrate-plan.5"] {
            #expect(FileManager.default.fileExists(atPath: pages.appendingPathComponent(name).path), "\(name)")
        }
        let apply = try String(contentsOf: pages.appendingPathComponent("enmigrate-apply.1"), encoding: .utf8)
        #expect(apply.contains(".Dt ENMIGRATE-APPLY 1") && apply.contains(".Sh EXAMPLES") && apply.contains("--scheduled"))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/man") else { return }
        // Installed the way the README says: man1/ and man5/ under one folder.
        let installed = try CommandRunner.temporaryFolder()
        for section in ["1", "5"] {
            let folder = installed.appendingPathComponent("man\(section)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for page in try FileManager.default.contentsOfDirectory(atPath: pages.path) where page.hasSuffix(".\(section)") {
                try FileManager.default.copyItem(at: pages.appendingPathComponent(page), to: folder.appendingPathComponent(page))
            }
        }
        let found = try CommandRunner.shell("man -M '\(installed.path)' -w enmigrate-apply")
        #expect(found.status == 0 && found.output.contains("man1/enmigrate-apply.1"), "\(found.output)")
        let format = try CommandRunner.shell("man -M '\(installed.path)' -w 5 enmigrate-plan")
        #expect(format.status == 0 && format.output.contains("man5/enmigrate-plan.5"), "\(format.output)")
    }
}
