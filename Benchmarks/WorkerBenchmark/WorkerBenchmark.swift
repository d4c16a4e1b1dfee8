import Foundation

/// The workers on a nightly-sized workload, in release mode (scripts/bench, scripts/bench-import).
///
/// Each verb runs in its own process so peak RSS is that worker's alone, and prints one JSON
/// line (seconds, counts, peak RSS) for the script to read:
/// - `generate FOLDER FILES KEYS_PER_FILE [--no-rows] [--uniform]`: a signed feed, by default
///   as a state's reference server writes it, 5 files a day (``FeedGeneration``);
/// - `import FOLDER [postgres://…]`: the export-importer over loopback HTTP (``ImportRun``);
/// - `export FOLDER [postgres://…]`: the national feed from the imported key store (``ExportRun``);
/// - `mirror FOLDER`: staging and publishing the national feed on a client CDN (``MirrorRun``);
/// - `split FEED OUT`: each file of a feed unpacked for the `zip`/`openssl` baselines (``FeedSplit``).
@main
enum WorkerBenchmark {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let folder = arguments.count > 1 ? URL(fileURLWithPath: arguments[1]) : nil
        switch (arguments.first, folder) {
        case ("generate", let folder?) where arguments.count >= 4:
            try FeedGeneration(
                folder: folder, files: Int(arguments[2]) ?? 70, keysPerFile: Int(arguments[3]) ?? 14_400,
                writeRows: !arguments.dropFirst(4).contains("--no-rows"),
                realistic: !arguments.dropFirst(4).contains("--uniform")
            ).run()
        case ("import", let folder?):
            try await ImportRun(folder: folder, postgres: arguments.count > 2 ? arguments[2] : nil).run()
        case ("export", let folder?):
            try await ExportRun(folder: folder, postgres: arguments.count > 2 ? arguments[2] : nil).run()
        case ("mirror", let folder?):
            try await MirrorRun(folder: folder).run()
        case ("split", let folder?) where arguments.count == 3:
            try FeedSplit(feed: folder, output: URL(fileURLWithPath: arguments[2])).run()
        default:
            fail(
                "usage: WorkerBenchmark generate FOLDER FILES KEYS_PER_FILE [--no-rows] [--uniform] | import FOLDER [postgres://…]"
                    + " | export FOLDER [postgres://…] | mirror FOLDER | split FEED OUT", code: 2)
        }
    }

    /// The feed's layout, shared by every verb.
    static let stateRoot = "exposureKeyExport-US-XX"
    static let nationalRoot = "exposureKeyExport-US"
    static let keyID = "310"
    /// The generated feed's key version; a plan names its public half (`state.pub.pem`) as the client feed key.
    static let stateKeyVersion = "v1"

    /// Prints a measurement as one JSON line, with this process's peak RSS.
    static func report(_ fields: KeyValuePairs<String, Double>, seconds: Duration) {
        let elapsed = Self.seconds(seconds)
        let rest = fields.map { #""\#($0.key)":\#($0.value == $0.value.rounded() ? String(Int($0.value)) : String($0.value))"# }
        print("{" + (rest + [#""seconds":\#(elapsed)"#, #""peakRSSKiB":\#(peakResidentKiB())"#]).joined(separator: ",") + "}")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func peakResidentKiB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss)
    }

    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}
