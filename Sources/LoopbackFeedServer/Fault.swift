import Foundation
import Synchronization

/// One way the loopback server can misbehave for a request.
public enum Fault: Sendable, Equatable {
    /// Answer with this HTTP status and a short text body.
    case status(Int)
    /// Wait this many seconds before answering normally (a slow or stuck server).
    case delay(Double)
    /// Serve only the first `keep` bytes of the file (a truncated upload).
    case truncate(keep: Int)
    /// Declare the whole file's length, send only its first `keep` bytes, then drop the
    /// connection (a transfer cut short: the client must not take the part for the file).
    case cutShort(keep: Int)
    /// Serve these bytes instead of the file.
    case replace(Data)
    /// Serve the file with the byte at `offset` inverted (tampering in transit or at rest).
    case flipByte(at: Int)
    /// Serve the whole file with its true length, `bytes` at a time with `interval` seconds
    /// between chunks (a slow drip that keeps the connection alive).
    case drip(bytes: Int, interval: Double)
    /// Hold the request until ``LoopbackFeedServer/releaseHeld()`` (a server stuck for exactly
    /// as long as a test needs, without a clock), then answer normally.
    case hold
    /// Answer with a redirect (`status` 301, 302, 303, 307 or 308) to `location`, a URL or a
    /// path relative to the request, as a CDN that moved a file does.
    case redirect(to: String, status: Int = 302)
}

/// Faults by path, each with how many requests it still applies to, and request counts.
final class FaultTable: Sendable {
    private struct Entry {
        var fault: Fault
        var remaining: Int?
    }

    private let state = Mutex<(faults: [String: [Entry]], counts: [String: Int])>(([:], [:]))
    private let posted = Mutex<[String: [Data]]>([:])

    func recordBody(_ body: Data, for path: String) {
        posted.withLock { $0[path, default: []].append(body) }
    }

    func bodies(for path: String) -> [Data] {
        posted.withLock { $0[path] ?? [] }
    }

    private let held = Mutex<(released: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    /// Suspends until ``releaseHeld()`` (at once when it already happened).
    func waitUntilReleased() async {
        await withCheckedContinuation { continuation in
            let resumeNow = held.withLock { held in
                if held.released { return true }
                held.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Lets every held request (and every later one) go on.
    func releaseHeld() {
        let waiting = held.withLock { held in
            held.released = true
            defer { held.waiting = [] }
            return held.waiting
        }
        waiting.forEach { $0.resume() }
    }

    func add(_ fault: Fault, for path: String, times: Int?) {
        state.withLock { $0.faults[path, default: []].append(Entry(fault: fault, remaining: times)) }
    }

    func clear() {
        state.withLock { $0.faults.removeAll() }
    }

    func clear(for path: String) {
        state.withLock { _ = $0.faults.removeValue(forKey: path) }
    }

    func count(for path: String) -> Int {
        state.withLock { $0.counts[path, default: 0] }
    }

    /// Counts the request and returns the fault it meets, if any, using one of its applications.
    func take(for path: String) -> Fault? {
        state.withLock { state in
            state.counts[path, default: 0] += 1
            guard var entries = state.faults[path], !entries.isEmpty else { return nil }
            let fault = entries[0].fault
            if let remaining = entries[0].remaining {
                if remaining <= 1 { entries.removeFirst() } else { entries[0].remaining = remaining - 1 }
            }
            state.faults[path] = entries
            return fault
        }
    }
}
