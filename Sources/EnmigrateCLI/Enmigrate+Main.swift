import ArgumentParser

extension Enmigrate {
    /// Runs the command line as `main()` does, and more: a mistyped verb gets the closest one,
    /// and with `--json` a usage error (a missing option, a bad value, an unknown verb) is also
    /// one `{"error"}` document on standard output, as every other failure is.
    public static func runMain(_ arguments: [String]) async -> Never {
        BrokenPipes.ignored
        let json = arguments.contains("--json")
        if let unknown = unknownVerb(in: arguments) {
            printError(unknown.message)
            if json { ErrorDocument(message: unknown.message, exitCode: 64).print() }
            exit(withError: ExitCode(64))
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            exit()
        } catch {
            // An exit code a verb threw has had its output (and its JSON error) already; so has
            // a verb that printed its document before failing.
            let code = exitCode(for: error)
            if json, !(error is ExitCode), code != .success, OutputRecord.shared.standardOutputEmpty {
                ErrorDocument(message: fullMessage(for: error), exitCode: code.rawValue).print()
            }
            exit(withError: error)
        }
    }
}
