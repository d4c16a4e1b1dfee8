import ArgumentParser

/// `enmigrate export …`: look inside, verify and build Exposure Notification export files.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Inspect, verify and build Exposure Notification export files.",
        subcommands: [ExportInspectCommand.self, ExportVerifyCommand.self, ExportBuildCommand.self]
    )
}
