import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One JSON POST to a hook's URL: redirects not followed, the whole exchange bounded by a
/// deadline, success only on a 2xx answer. The body is what the caller built (an event); the
/// answer is read only far enough to name it in an error.
public enum WebhookPost {
    /// Why a webhook did not take the event.
    public struct Failure: Error, CustomStringConvertible {
        public let url: String
        public let reason: String
        public var description: String { "webhook \(url): \(reason)" }
    }

    /// POSTs `body` as `application/json` to `url`; throws ``Failure`` on anything but 2xx
    /// within `timeout`.
    public static func send(_ body: Data, to url: URL, timeout: Duration, client: HTTPClient = HTTPBlobStore.noRedirectClient) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "enmigrate-hook")
        request.body = .bytes(ByteBuffer(bytes: body))
        let seconds = Int64(timeout.components.seconds) + (timeout.components.attoseconds > 0 ? 1 : 0)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(max(1, seconds)))
        } catch {
            throw Failure(url: redact(url), reason: "no answer (\(error))")
        }
        let answer = try? await response.body.collect(upTo: 4096)
        guard (200..<300).contains(response.status.code) else {
            let text = answer.map { String(buffer: $0) }?.prefix(200) ?? ""
            throw Failure(url: redact(url), reason: "answered \(response.status.code)" + (text.isEmpty ? "" : ": \(text)"))
        }
    }

    /// The URL without its query or user info (a token in the query is a secret).
    public static func redact(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(webhook)" }
        parts.query = nil
        parts.user = nil
        parts.password = nil
        return parts.string ?? "(webhook)"
    }
}
