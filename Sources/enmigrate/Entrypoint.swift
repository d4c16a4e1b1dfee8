import ArgumentParser
import EnmigrateCLI

/// The executable's only job: hand the command line to the root command.
@main
enum Entrypoint {
    static func main() async {
        await Enmigrate.main()
    }
}
