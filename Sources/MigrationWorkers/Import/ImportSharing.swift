import Foundation

/// How a replica takes part in an import shared with others.
public struct ImportSharing: Sendable {
    /// Who claims (`user@host pid N`), as the run lock names its holder.
    public let owner: String
    /// How long a claim holds; a replica that died loses its files to the others after it.
    public let claimSeconds: TimeInterval
    /// Whether the replica named by an owner is known to be gone (a process of this host that no
    /// longer exists): its claims are dropped at once instead of lapsing.
    public let isGone: @Sendable (String) -> Bool

    public init(owner: String, claimSeconds: TimeInterval = 30, isGone: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.owner = owner
        self.claimSeconds = claimSeconds
        self.isGone = isGone
    }
}
