/// Why a rehearsal could not be set up or run; each message names the place and the fix.
public enum RehearsalError: Error, Equatable, CustomStringConvertible {
    /// `--faults` could not be parsed.
    case badFaultSpec(String)
    /// The operator's plan is not valid; the rehearsal is shaped like it, so it must be.
    case invalidPlan(String)
    /// The rehearsal folder exists and is not an earlier rehearsal's.
    case folderNotEmpty(String)
    /// A child `enmigrate` process could not be started, or the run did not reach its end.
    case runFailed(String)

    public var description: String {
        switch self {
        case .badFaultSpec(let message), .invalidPlan(let message), .runFailed(let message): message
        case .folderNotEmpty(let path):
            "\(path): exists and is not a rehearsal folder (no .enmigrate-rehearsal marker); pick another --folder or remove it"
        }
    }
}
