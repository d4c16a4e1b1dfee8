import Foundation

/// A command or webhook the plan asks to be told about an event (`hooks:`). Hooks receive the
/// event as a JSON object (the `enmigrate.event/1` contract with the hook's event name and the
/// migration's name), never key material. A `before-cut-over` hook is a gate of its own: when
/// it fails, the client index is not swapped.
public struct Hook: Sendable, Encodable {
    /// What a hook can be told about.
    public enum Event: String, Sendable, Encodable, CaseIterable {
        /// A gate starts waiting for an approval (and each reminder of a long wait).
        case gateWaiting = "gate-waiting"
        /// An approval opened its gate (the engine used it; an approval that expires unused tells no hook).
        case approved
        /// The client index now lists the national feed.
        case cutOverDone = "cut-over-done"
        /// A file failed for good and is set aside.
        case fileQuarantined = "file-quarantined"
        /// A step failed (the run is resumable).
        case stepFailed = "step-failed"
        /// A check blocks the run.
        case blocked
        /// A coverage check did not pass (failed or inconclusive).
        case coverageNotHolding = "coverage-not-holding"
        /// The phone's-eye watch found the feed phones download broken or stale.
        case cdnBroken = "cdn-broken"
        /// Forward progress stopped: the oldest second-feed file not yet imported has waited two
        /// hours (told once a stall, again after the backlog cleared).
        case progressStalled = "progress-stalled"
        /// Immediately before the swap; a command that exits non-zero, a webhook that does not
        /// answer 2xx, or any hook that times out stops the swap.
        case beforeCutOver = "before-cut-over"
    }

    /// What runs.
    public enum Action: Sendable, Encodable, Equatable {
        /// A program and its arguments, run without a shell; the event arrives on standard input.
        case command([String])
        /// An `https://` (or loopback `http://`) URL the event is POSTed to.
        case webhook(URL)
    }

    /// The events it is told about.
    public let on: [Event]
    public let action: Action
    /// Longest it may run (default 30s); a hook still running then is stopped.
    public let timeout: Duration

    public init(on: [Event], action: Action, timeout: Duration = .seconds(30)) {
        self.on = on
        self.action = action
        self.timeout = timeout
    }
}
