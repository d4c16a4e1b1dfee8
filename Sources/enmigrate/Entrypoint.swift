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
        // A mistyped verb gets the closest one; with --json a usage error is a JSON document too.
        await Enmigrate.runMain(Array(CommandLine.arguments.dropFirst()))
    }
}
