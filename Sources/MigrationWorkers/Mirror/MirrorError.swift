/// Why the mirror stopped: each names the file and what to do.
public enum MirrorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two national index lines share a basename: they would publish under one name.
    case duplicateBasename(first: String, second: String)
    /// A national file did not verify with the national key: it is never published.
    case unverified(file: String, reason: String)
    /// The copy written to the client mirror is not the file that verified.
    case copyMismatch(file: String)
    /// Something other than enmigrate rewrote the client index after the swap.
    case indexRewritten(path: String)
    /// Restoring needs the index saved before the swap.
    case nothingToRestore(path: String)
    /// Phones that resume after the last file name they processed would never fetch these files.
    case phonesWouldSkip(path: String, files: [String], after: String)
    /// The saved client index is not one that may be published again.
    case restoreRefused(path: String, reason: String)
    /// The client index changed between the sealing of the baseline and the swap.
    case clientIndexChangedBeforeSwap(path: String)
    /// The staged index is not the one the sealed proof covers.
    case stagedIndexChanged(path: String)
    /// The national key the rotation request asked Apple/Google to trust is not the key the
    /// plan names now.
    case rotationKeyChanged(requested: String, now: String)

    public var description: String {
        switch self {
        case let .duplicateBasename(first, second):
            "national index lines \(first) and \(second) share a file name; the mirror publishes by file name, so staging stops until one is renamed"
        case let .unverified(file, reason):
            "\(file) does not verify with the national key (\(reason)); it is not published"
        case .copyMismatch(let file):
            "\(file): the copy in the client mirror differs from the verified national file; check the mirror location's storage"
        case .indexRewritten(let path):
            "\(path) was rewritten by something other than enmigrate after the cut-over (is the state's export worker still writing it? "
                + "its exports belong under clientFeed.origin now); stop that writer, then run `enmigrate apply PLAN --take-back-client-index`"
        case .nothingToRestore(let path):
            "\(path) does not exist: there is no saved client index to restore"
        case let .phonesWouldSkip(path, files, after):
            "\(path) was not replaced: phones that fetch only the names after the last one they processed (\(after)) would never fetch "
                + "\(files.count) new files (\(files.prefix(3).joined(separator: ", "))\(files.count > 3 ? ", …" : "")), so they would miss "
                + "their keys. New national file names must sort after every name the client index listed before"
        case let .restoreRefused(path, reason):
            "\(path) was not restored: \(reason); the client index still serves the national feed"
        case .clientIndexChangedBeforeSwap(let path):
            "\(path) changed after the coverage proof was sealed for the swap; it was not replaced. Something else writes the client "
                + "index (the state's export worker?): stop it, put back the index the proof read, and run apply again"
        case .stagedIndexChanged(let path):
            "\(path) is not the staged index the coverage proof covered; the client index was not swapped. "
                + "Nothing else may write the client mirror's root; run apply again to stage and prove afresh"
        case let .rotationKeyChanged(requested, now):
            "the rotation request asked Apple/Google to trust the national key \(requested.prefix(16))…, but the plan's national key is now "
                + "\(now.prefix(16))…; phones would reject every file. Put the requested key back (or send a new request and wait for it)"
        }
    }
}
