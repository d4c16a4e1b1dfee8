import Foundation

/// Serialises the schema migrations of one SQLite file across processes: two first runs that
/// open a new journal or store at once would otherwise both see no schema and both create it
/// (`table run already exists`). An exclusive `flock` on `<file>-migrate.lock` is held while
/// migrating; the second opener then finds the schema made and migrates nothing.
public enum SQLiteMigrationLock {
    /// Why the lock could not be taken.
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot lock for the schema migration: \(reason)" }
    }

    /// Runs `body` holding the migration lock of the database at `path`.
    public static func whileLocked<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let lockPath = path + "-migrate.lock"
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw Failure(path: lockPath, reason: String(cString: strerror(errno))) }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
