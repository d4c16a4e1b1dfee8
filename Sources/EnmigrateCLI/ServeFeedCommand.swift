import ArgumentParser
import Foundation
import LoopbackFeedServer

/// `enmigrate serve-feed FOLDER [--port N]`: serves a folder over HTTP on 127.0.0.1, the way
/// a CDN serves an export feed, for rehearsals and the embedded demo.
struct ServeFeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-feed",
        abstract: "Serve a folder of export feeds over HTTP on 127.0.0.1 (rehearsals, the demo).",
        discussion: "GET /<root>/index.txt and /<root>/<file>.zip read FOLDER/<root>/…; only loopback is bound. Runs until SIGINT/SIGTERM."
    )

    @Argument(help: "The folder to serve (the parent of the feeds' root folders).")
    var folder: String

    @Option(help: "The port (0: any free port; the chosen one is printed).")
    var port = 0

    @Flag(help: "Print one JSON line once the server listens: {url, root}.")
    var json = false

    func run() async throws {
        try await EngineErrors.run(json: json) {
            try await serve()
        }
    }

    private func serve() async throws {
        let root = URL(fileURLWithPath: folder)
        guard FileManager.default.fileExists(atPath: root.path) else {
            printError("\(folder): no such folder")
            throw ExitCode(1)
        }
        let server = try await LoopbackFeedServer.start(serving: root, port: port)
        if json {
            let line = try JSONSerialization.data(
                withJSONObject: ["url": server.baseURL.absoluteString, "root": root.path], options: [.sortedKeys, .withoutEscapingSlashes])
            print(jsonText(line))
        } else {
            print("serving \(root.path) at \(server.baseURL.absoluteString)")
        }
        _ = try? await InterruptHandling.run(stopping: "stopping: the feed server closes") {
            try await Task.sleep(for: .seconds(365 * 86_400))
        }
        await server.stop()
    }
}
