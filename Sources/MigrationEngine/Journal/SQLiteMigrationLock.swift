import Foundation
import GRDB

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
        return try corruptionNamed(path, body)
    }

    /// `PRAGMA quick_check` (`full`: `integrity_check`), throwing ``DatabaseCorrupt`` with what it
    /// found unless the answer is `ok`. Run on every open for writing: quick, and it finds a
    /// damaged page before a pass reads keys from it.
    public static func check(_ path: String, full: Bool = false, run: (String) throws -> [String]) throws {
        let findings = try corruptionNamed(path) { try run(full ? "PRAGMA integrity_check(20)" : "PRAGMA quick_check(20)") }
        guard findings != ["ok"] else { return }
        throw DatabaseCorrupt(path: path, findings: findings.prefix(3).joined(separator: "; "))
    }

    /// Runs `body`, turning SQLite's own "malformed" and "not a database" errors into
    /// ``DatabaseCorrupt`` for `path`.
    public static func corruptionNamed<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            throw DatabaseCorrupt(path: path, findings: error.message ?? "\(error.resultCode)")
        }
    }
}
