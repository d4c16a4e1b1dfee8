import ArgumentParser

/// The `enmigrate` root command: moves a state's Exposure Notifications key server onto a
/// national one, phase by phase, without losing a key.
public struct Enmigrate: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "enmigrate",
        abstract: "Migrate a state's Exposure Notifications key server onto a national one.",
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self,
            PlanCommand.self,
            ApplyCommand.self,
            ResumeCommand.self,
            StatusCommand.self,
            VerifyCommand.self,
            WatchCommand.self,
            GraphCommand.self,
            ApproveCommand.self,
            AbortCommand.self,
            AdoptCommand.self,
            AcceptLossCommand.self,
            RequeueCommand.self,
            UnlockCommand.self,
            ExportCommand.self,
            ServeFeedCommand.self,
            RehearseCommand.self,
        ]
    )

    public init() {}
}
