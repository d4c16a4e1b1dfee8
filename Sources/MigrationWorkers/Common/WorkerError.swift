/// A worker's own failure, with a reason a person can act on.
public enum WorkerError: Error, Equatable, CustomStringConvertible {
    /// The work ran but its result is not what it must be.
    case postcondition(String)

    public var description: String {
        switch self {
        case .postcondition(let reason): reason
        }
    }
}
