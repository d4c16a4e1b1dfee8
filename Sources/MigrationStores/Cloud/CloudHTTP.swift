import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The request loop the bucket drivers share: a deadline on the whole exchange (body included),
/// a size limit on the answer, and retries with exponential backoff and jitter on what may pass
/// (5xx, 408, 429, timeouts, dropped connections). Each attempt is built anew by `prepare`, so a
/// signature carries the time it is sent.
struct CloudHTTP: Sendable {
    /// One answer: status, headers and body.
    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data
    }

    /// How often and how patiently to retry.
    struct RetryPolicy: Sendable {
        /// Attempts in all, the first included.
        var attempts = 5
        /// Wait before the second attempt; doubled for each further one, with ±50 % jitter.
        var firstDelay: Duration = .milliseconds(200)
        /// Longest wait between two attempts.
        var maxDelay: Duration = .seconds(10)
    }

    let client: HTTPClient
    let retry: RetryPolicy
    /// Deadline of one attempt, answer body included.
    let timeout: Duration

    init(client: HTTPClient = HTTPBlobStore.noRedirectClient, retry: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(120)) {
        self.client = client
        self.retry = retry
        self.timeout = timeout
    }

    /// Sends the request `prepare` builds, retrying transient failures; `path` names the object
    /// in errors. Returns the last answer, whatever its status, once it is not transient or the
    /// attempts are used up; throws `timedOut`/`unreachable` when no answer came at all.
    func send(path: String, limit: Int, prepare: @Sendable () async throws -> HTTPClientRequest) async throws -> (response: Response, attempts: Int) {
        var delay = retry.firstDelay
        for attempt in 1... {
            let outcome: Result<Response, any Error>
            do { outcome = .success(try await once(try await prepare(), path: path, limit: limit)) } catch is CancellationError {
                throw CancellationError()
            } catch { outcome = .failure(error) }
            let transient: Bool =
                switch outcome {
                case .success(let response): response.status >= 500 || response.status == 408 || response.status == 429
                case .failure(let error as BlobStoreError): error.isTransient
                case .failure: false
                }
            if !transient || attempt >= retry.attempts {
                return (try outcome.get(), attempt)
            }
            let jitter = Double.random(in: 0.5...1.5)
            try await Task.sleep(for: min(delay * jitter, retry.maxDelay))
            delay = min(delay * 2, retry.maxDelay)
        }
        throw CancellationError()
    }

    private func once(_ request: HTTPClientRequest, path: String, limit: Int) async throws -> Response {
        try await withThrowingTaskGroup(of: Response.self) { group in
            group.addTask {
                do {
                    let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
                    if let declared = response.headers.first(name: "content-length").flatMap(Int.init), declared > limit {
                        throw BlobStoreError.tooLarge(path: path, limit: limit)
                    }
                    var buffer = try await response.body.collect(upTo: limit)
                    return Response(
                        status: Int(response.status.code), headers: response.headers,
                        body: buffer.readBytes(length: buffer.readableBytes).map { Data($0) } ?? Data())
                } catch let error as BlobStoreError {
                    throw error
                } catch is NIOTooManyBytesError {
                    throw BlobStoreError.tooLarge(path: path, limit: limit)
                } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                    throw BlobStoreError.timedOut(path: path, after: timeout)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    throw BlobStoreError.unreachable(path: path, reason: "\(error)")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw BlobStoreError.timedOut(path: path, after: timeout)
            }
            defer { group.cancelAll() }
            guard let response = try await group.next() else { throw CancellationError() }
            return response
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
