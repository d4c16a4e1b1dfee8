import Foundation
import MigrationStoreContracts

/// What a SQLite file looked like when its quick check last passed, kept beside it in
/// `<file>-checked`: so an open for writing can skip the check of a file nothing has written
/// since. At a million keys the key store's check reads all of its 110 MB (0.35 s), which was
/// more than half of a steady `apply --once` that finds nothing new and writes nothing.
///
/// A file counts as unchanged only when its device, inode, size, modification time and
/// status-change time are what they were, and its write-ahead log is empty: any write to it —
/// SQLite's own, a flipped byte, a restored copy, even one that sets the modification time back
/// (the status-change time cannot be set) — makes the next open check it again. Damage no write
/// makes (the disk itself) is found on the schedule: a file is checked at least once per
/// `every` (the plan's `workers.fullVerification`, 24h by default) whatever it looks like.
struct SQLiteCheckStamp: Codable, Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedNanoseconds: Int64
    var changedNanoseconds: Int64
    /// When the check passed.
    var checkedAt: Date

    /// The stamp of the file at `path` as it is now, or nil when it cannot be read or its
    /// write-ahead log holds frames (the content is then more than the file).
    static func current(of path: String, at now: Date) -> SQLiteCheckStamp? {
        var file = stat()
        guard stat(path, &file) == 0 else { return nil }
        var log = stat()
        if stat(path + "-wal", &log) == 0, log.st_size > 0 { return nil }
        return SQLiteCheckStamp(
            device: UInt64(file.st_dev), inode: UInt64(file.st_ino), size: Int64(file.st_size),
            modifiedNanoseconds: Int64(file.st_mtim.tv_sec) * 1_000_000_000 + Int64(file.st_mtim.tv_nsec),
            changedNanoseconds: Int64(file.st_ctim.tv_sec) * 1_000_000_000 + Int64(file.st_ctim.tv_nsec),
            checkedAt: now)
    }

    /// Whether `path` may skip its check now: unchanged since the stamp saved beside it, and
    /// checked less than `every` ago (a stamp from the future — a clock set back — does not count).
    static func allowsSkipping(_ path: String, every: Duration, now: Date) -> Bool {
        guard let saved = saved(for: path), let current = current(of: path, at: now) else { return false }
        let age = now.timeIntervalSince(saved.checkedAt)
        guard age >= 0, age < Double(every.components.seconds) else { return false }
        var unchanged = current
        unchanged.checkedAt = saved.checkedAt
        return unchanged == saved
    }

    /// Records that `path` passed its check; `before` is its stamp taken before the check
    /// started, so a write during the check leaves a stamp that no longer matches. A stamp
    /// that cannot be written only means the next open checks again.
    static func record(_ before: SQLiteCheckStamp?, for path: String) {
        guard let before, let data = try? JSONEncoder().encode(before) else { return }
        try? DurableFile.write(data, to: stampURL(for: path))
    }

    /// The stamp saved beside `path`, nil when there is none or it is unreadable.
    static func saved(for path: String) -> SQLiteCheckStamp? {
        guard let data = try? Data(contentsOf: stampURL(for: path)) else { return nil }
        return try? JSONDecoder().decode(SQLiteCheckStamp.self, from: data)
    }

    static func stampURL(for path: String) -> URL { URL(fileURLWithPath: path + "-checked") }
}
