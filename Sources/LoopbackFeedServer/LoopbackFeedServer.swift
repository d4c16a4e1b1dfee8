import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1 that serves the files under a folder (an export feed laid
/// out like a CDN) and misbehaves on command, so tests and the embedded demo exercise the same
/// network path users run. Start it with ``start(serving:)``, stop it with ``stop()``.
public final class LoopbackFeedServer: Sendable {
    /// The folder whose files are served; `GET /a/b.zip` reads `<root>/a/b.zip`.
    public let root: URL
    /// The port the server listens on (chosen by the system).
    public let port: Int
    /// `http://127.0.0.1:<port>/`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    private let faults: FaultTable
    private let server: RunningHTTPServer

    private init(root: URL, faults: FaultTable, server: RunningHTTPServer) {
        self.root = root
        self.port = server.port
        self.faults = faults
        self.server = server
    }

    /// Starts serving `root` on `port` of 127.0.0.1 (0: a free port) and returns once it accepts connections.
    public static func start(serving root: URL, port requestedPort: Int = 0) async throws -> LoopbackFeedServer {
        let faults = FaultTable()
        let router = Router()
        let folder = root.standardizedFileURL
        router.get("**") { request, _ in
            try await Self.respond(to: request.uri.path, root: folder, faults: faults)
        }
        // POST is answered as GET is, after its body is kept for the test to read: a static
        // file stands in for an endpoint (an OAuth token exchange).
        router.post("**") { request, _ in
            var body = try await request.body.collect(upTo: 1 << 20)
            faults.recordBody(body.readBytes(length: body.readableBytes).map { Data($0) } ?? Data(), for: normalise(request.uri.path))
            return try await Self.respond(to: request.uri.path, root: folder, faults: faults)
        }
        // HEAD answers with the object's ETag, as CDNs and buckets do; faults apply to GET only.
        router.head("**") { request, _ in
            let path = normalise(request.uri.path.removingPercentEncoding ?? request.uri.path)
            guard let tag = Self.entityTag(of: folder.appendingPathComponent(path), path: path) else {
                return Response(status: .notFound)
            }
            return Response(status: .ok, headers: [.eTag: tag.tag, .contentLength: String(tag.size)])
        }
        do {
            let server = try await RunningHTTPServer.start(router, host: "127.0.0.1", port: requestedPort, serverName: "enmigrate-loopback")
            return LoopbackFeedServer(root: folder, faults: faults, server: server)
        } catch let failure as RunningHTTPServer.DidNotStart {
            throw LoopbackFeedServerError.didNotStart(port: requestedPort, reason: failure.reason)
        }
    }

    /// Stops the server (releasing held requests) and waits until it has.
    public func stop() async {
        faults.releaseHeld()
        await server.stop()
    }

    /// Makes the next `times` requests for `path` (relative, e.g. `root/index.txt`) misbehave;
    /// `times: nil` makes every later request misbehave.
    public func inject(_ fault: Fault, for path: String, times: Int? = 1) {
        faults.add(fault, for: Self.normalise(path), times: times)
    }

    /// Lets requests held by ``Fault/hold`` go on, and every later held one at once.
    public func releaseHeld() {
        faults.releaseHeld()
    }

    /// Removes every fault.
    public func clearFaults() {
        faults.clear()
    }

    /// Removes the faults left for `path` only.
    public func clearFaults(for path: String) {
        faults.clear(for: Self.normalise(path))
    }

    /// The bodies of the POST requests `path` received, oldest first.
    public func postedBodies(for path: String) -> [Data] {
        faults.bodies(for: Self.normalise(path))
    }

    /// How many requests `path` received.
    public func requestCount(for path: String) -> Int {
        faults.count(for: Self.normalise(path))
    }

    /// An nginx-style entity tag: inode, size and modification time, which change whenever the
    /// file is replaced or rewritten.
    private static func entityTag(of url: URL, path: String) -> (tag: String, size: Int)? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date
        else { return nil }
        let inode = attributes[.systemFileNumber] as? Int ?? 0
        return ("\"\(String(inode, radix: 16))-\(String(size, radix: 16))-\(String(Int(modified.timeIntervalSince1970 * 1_000_000), radix: 16))\"", size)
    }

    private static func normalise(_ path: String) -> String {
        path.hasPrefix("/") ? String(path.dropFirst()) : path
    }

    private static func respond(to rawPath: String, root: URL, faults: FaultTable) async throws -> Response {
        let path = normalise(rawPath.removingPercentEncoding ?? rawPath)
        let fault = faults.take(for: path)
        let tag = entityTag(of: root.appendingPathComponent(path), path: path)?.tag
        if case .hold? = fault { await faults.waitUntilReleased() }
        if case .delay(let seconds)? = fault {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        }
        if case let .redirect(location, code)? = fault {
            return Response(
                status: .init(code: code), headers: [.location: location],
                body: .init(byteBuffer: ByteBuffer(string: "moved to \(location)\n")))
        }
        if case .status(let code)? = fault {
            return Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: "injected status \(code)\n")))
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
            let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path)
        else {
            return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        var body = data
        switch fault {
        case .truncate(let keep)?: body = data.prefix(keep)
        case .replace(let replacement)?: body = replacement
        case .flipByte(let offset)? where offset < data.count:
            body[body.startIndex + offset] ^= 0xFF
        default: break
        }
        let type = path.hasSuffix(".txt") ? "text/plain" : "application/zip"
        if case .cutShort(let keep)? = fault {
            return Response(
                status: .ok, headers: [.contentType: type],
                body: ResponseBody(contentLength: body.count) { [body] writer in
                    try await writer.write(ByteBuffer(bytes: body.prefix(keep)))
                    throw CutShort()
                })
        }
        if case .drip(let bytes, let interval)? = fault {
            return Response(
                status: .ok, headers: [.contentType: type],
                body: ResponseBody(contentLength: body.count) { [body] writer in
                    var offset = body.startIndex
                    while offset < body.endIndex {
                        let end = min(offset + max(bytes, 1), body.endIndex)
                        try await writer.write(ByteBuffer(bytes: body[offset..<end]))
                        offset = end
                        try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                    }
                    try await writer.finish(nil)
                })
        }
        var headers: HTTPFields = [.contentType: type]
        if let tag { headers[.eTag] = tag }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Ends a response body early, which closes the connection mid-transfer.
struct CutShort: Error {}

/// Why the server did not start.
public enum LoopbackFeedServerError: Error, CustomStringConvertible {
    case didNotStart(port: Int, reason: String)
    public var description: String {
        switch self {
        case let .didNotStart(port, reason): "the loopback feed server did not start on 127.0.0.1:\(port): \(reason)"
        }
    }
}
