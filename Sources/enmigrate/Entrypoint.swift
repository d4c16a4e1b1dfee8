import ArgumentParser
import EnmigrateCLI
#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// The executable's only job: hand the command line to the root command.
@main
enum Entrypoint {
    static func main() async {
        #if canImport(Glibc)
            // Line-buffered even into a pipe, so progress reaches a script (or a test that kills
            // the process at a chosen moment) as it happens, in order.
            setvbuf(stdout, nil, _IOLBF, 0)
        #endif
        // A mistyped verb gets the closest one, not "2 unexpected arguments".
        if let unknown = Enmigrate.unknownVerb(in: Array(CommandLine.arguments.dropFirst())) {
            var standardError = StandardError()
            print(unknown.message, to: &standardError)
            Enmigrate.exit(withError: ExitCode(64))
        }
        await Enmigrate.main()
    }
}

/// Standard error as a `TextOutputStream`, for `print(_:to:)`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        #if canImport(Glibc)
            fputs(string, Glibc.stderr)
        #endif
    }
}
