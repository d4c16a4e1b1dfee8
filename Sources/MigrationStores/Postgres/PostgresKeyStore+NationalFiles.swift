import Foundation
import PostgresNIO

/// The national files the national export writes from the key store (enmigrate's own layout only).
extension PostgresKeyStore {
    public func assignNationalFiles(root: String, maxKeysPerFile: Int, cutoff: Date) async throws -> [NationalFileRecord] {
        if isReference { throw PostgresKeyStoreError.nationalExportWithReferenceLayout(location.description) }
        return try await database.transaction { connection in
            // Replicas assign one batch at a time, so no key lands in two files.
            try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(schema).national_file IN EXCLUSIVE MODE"), logger: connection.logger)
            var pending: [(key: ByteBuffer, created: Date)] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT exposure_key, created_at FROM \(schema).exposure WHERE national_file_id IS NULL AND created_at <= $1 ORDER BY exposure_key
                """, binds: Self.binds(cutoff)), logger: connection.logger)
            for try await (key, created) in rows.decode((ByteBuffer, Date).self) { pending.append((key, created)) }
            var revisedTimes: [Date] = []
            let revised = try await connection.query(PostgresQuery(unsafeSQL: "SELECT revised_at \(pendingRevisions)", binds: Self.binds(cutoff)),
                                                     logger: connection.logger)
            for try await at in revised.decode(Date.self) { revisedTimes.append(at) }
            let times = pending.map(\.created) + revisedTimes
            guard let oldest = times.min(), let newest = times.max() else { return [] }
            let previousEnd = try await connection.query(PostgresQuery(unsafeSQL: "SELECT max(batch_end) FROM \(schema).national_file"),
                                                         logger: connection.logger).decode(Int64?.self).first { _ in true } ?? nil
            let files = NationalBatchLayout.files(root: root, previousEnd: previousEnd, oldest: oldest, newest: newest,
                                                  count: pending.count, maxKeysPerFile: maxKeysPerFile, notAfter: cutoff,
                                                  revisions: revisedTimes.count)
            guard let last = files.last else { return [] }
            var offset = 0
            for file in files where file.keyCount > 0 {
                var binds = PostgresBindings()
                binds.append(file.name)
                binds.append(file.batchStart)
                binds.append(file.batchEnd)
                binds.append(file.number)
                binds.append(file.fileCount)
                binds.append(file.keyCount)
                binds.append(cutoff)
                binds.append(pending[offset].key)
                binds.append(pending[offset + file.keyCount - 1].key)
                try await connection.query(PostgresQuery(unsafeSQL: """
                    WITH file AS (
                        INSERT INTO \(schema).national_file (name, batch_start, batch_end, number, file_count, key_count)
                        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)
                    UPDATE \(schema).exposure SET national_file_id = (SELECT id FROM file)
                    WHERE national_file_id IS NULL AND created_at <= $7 AND exposure_key >= $8 AND exposure_key <= $9
                    """, binds: binds), logger: connection.logger)
                offset += file.keyCount
            }
            if pending.isEmpty {
                var binds = PostgresBindings()
                for value in [last.batchStart, last.batchEnd] { binds.append(value) }
                binds.append(last.name)
                binds.append(last.number)
                binds.append(last.fileCount)
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO \(schema).national_file (name, batch_start, batch_end, number, file_count, key_count) VALUES ($3, $1, $2, $4, $5, 0)
                    """, binds: binds), logger: connection.logger)
            }
            if !revisedTimes.isEmpty {
                var binds = PostgresBindings()
                binds.append(cutoff)
                binds.append(last.name)
                try await connection.query(PostgresQuery(unsafeSQL: """
                    UPDATE \(schema).exposure SET revised_national_file_id = (SELECT id FROM \(schema).national_file WHERE name = $2)
                    WHERE revised_at IS NOT NULL AND revised_at <= $1 AND created_at <= $1 AND revised_national_file_id IS NULL
                    """, binds: binds), logger: connection.logger)
            }
            return files
        }
    }

    /// Revisions applied by the cutoff ($1) to keys that are or will be in a national file by
    /// then, whose revision is in none yet.
    private var pendingRevisions: String {
        "FROM \(schema).exposure WHERE revised_at IS NOT NULL AND revised_at <= $1 AND created_at <= $1 AND revised_national_file_id IS NULL"
    }

    public func revisedKeys(inNationalFile name: String) async throws -> [StoredKey] {
        if isReference { throw PostgresKeyStoreError.nationalExportWithReferenceLayout(location.description) }
        return try await storedKeys(where: "revised_national_file_id = (SELECT id FROM \(schema).national_file WHERE name = $1)",
                                    binds: Self.binds(name))
    }

    public func unassignedKeyCount(cutoff: Date) async throws -> Int {
        if isReference { return 0 }
        if try await database.isMissing() { return 0 }
        let rows = try await database.query(PostgresQuery(unsafeSQL: """
            SELECT (SELECT count(*) FROM \(schema).exposure WHERE national_file_id IS NULL AND created_at <= $1)
                 + (SELECT count(*) \(pendingRevisions))
            """, binds: Self.binds(cutoff)))
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    public func nationalFiles() async throws -> [NationalFileRecord] {
        if try await database.isMissing() { return [] }
        var files: [NationalFileRecord] = []
        let rows = try await database.query(PostgresQuery(unsafeSQL: """
            SELECT name, batch_start, batch_end, number, file_count, key_count, digest FROM \(schema).national_file ORDER BY name COLLATE "C"
            """))
        for try await (name, start, end, number, count, keys, digest) in rows.decode((String, Int64, Int64, Int32, Int32, Int32, String?).self) {
            files.append(NationalFileRecord(name: name, batchStart: start, batchEnd: end, number: Int(number), fileCount: Int(count),
                                            keyCount: Int(keys), digest: digest))
        }
        return files
    }

    public func keys(inNationalFile name: String) async throws -> [StoredKey] {
        if isReference { throw PostgresKeyStoreError.nationalExportWithReferenceLayout(location.description) }
        return try await storedKeys(where: "national_file_id = (SELECT id FROM \(schema).national_file WHERE name = $1)", binds: Self.binds(name))
    }

    public func markNationalFileWritten(name: String, digest: String) async throws {
        var binds = PostgresBindings()
        binds.append(digest)
        binds.append(name)
        _ = try await database.query(PostgresQuery(unsafeSQL: "UPDATE \(schema).national_file SET digest = $1 WHERE name = $2", binds: binds))
    }
}
