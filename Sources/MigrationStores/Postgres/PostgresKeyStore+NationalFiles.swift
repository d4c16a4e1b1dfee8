import Foundation
import PostgresNIO

/// The national files the national export writes from the key store (enmigrate's own layout only).
extension PostgresKeyStore {
    public func assignNationalFiles(root: String, maxKeysPerFile: Int, cutoff: Date) async throws -> [NationalFileRecord] {
        if isReference { throw PostgresKeyStoreError.nationalExportWithReferenceLayout(location.description) }
        return try await database.transaction { [self] connection in
            // Replicas assign one batch at a time, so no key lands in two files.
            try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(schema).national_file IN EXCLUSIVE MODE"), logger: connection.logger)
            let pendingKeys = "FROM \(schema).exposure WHERE national_file_id IS NULL AND created_at <= $1"
            // Counts and times only: holding every pending key here grew with the store (flat now).
            var (count, oldestKey, newestKey): (Int64, Date?, Date?) = (0, nil, nil)
            for try await row in try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT count(*), min(created_at), max(created_at) \(pendingKeys)",
                    binds: Self.binds(cutoff)), logger: connection.logger
            )
            .decode((Int64, Date?, Date?).self) { (count, oldestKey, newestKey) = row }
            var (revisions, oldestRevision, newestRevision): (Int64, Date?, Date?) = (0, nil, nil)
            for try await row in try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT count(*), min(revised_at), max(revised_at) \(pendingRevisions)",
                    binds: Self.binds(cutoff)), logger: connection.logger
            )
            .decode((Int64, Date?, Date?).self) { (revisions, oldestRevision, newestRevision) = row }
            guard let oldest = [oldestKey, oldestRevision].compactMap({ $0 }).min(),
                let newest = [newestKey, newestRevision].compactMap({ $0 }).max()
            else { return [] }
            let previousEnd =
                try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT max(batch_end) FROM \(schema).national_file"),
                    logger: connection.logger
                ).decode(Int64?.self).first { _ in true } ?? nil
            let files = NationalBatchLayout.files(
                root: root, previousEnd: previousEnd, oldest: oldest, newest: newest,
                count: Int(count), maxKeysPerFile: maxKeysPerFile, notAfter: cutoff,
                revisions: Int(revisions))
            guard let last = files.last else { return [] }
            // The files are cut by key-byte ranges: the server numbers the pending keys in key
            // order and returns only each file's first and last key.
            var positions: [Int64] = []
            var offset: Int64 = 0
            for file in files where file.keyCount > 0 {
                positions += [offset + 1, offset + Int64(file.keyCount)]
                offset += Int64(file.keyCount)
            }
            var bounds: [Int64: ByteBuffer] = [:]
            if !positions.isEmpty {
                var binds = Self.binds(cutoff)
                binds.append(positions)
                let rows = try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT n, exposure_key FROM (SELECT exposure_key, row_number() OVER (ORDER BY exposure_key) AS n \(pendingKeys)) AS pending
                            WHERE n = ANY($2)
                            """, binds: binds), logger: connection.logger)
                for try await (position, key) in rows.decode((Int64, ByteBuffer).self) { bounds[position] = key }
            }
            offset = 0
            for file in files where file.keyCount > 0 {
                guard let first = bounds[offset + 1], let lastKey = bounds[offset + Int64(file.keyCount)] else {
                    throw PostgresKeyStoreError.pendingKeysChanged(location.description)
                }
                var binds = PostgresBindings()
                binds.append(file.name)
                binds.append(file.batchStart)
                binds.append(file.batchEnd)
                binds.append(file.number)
                binds.append(file.fileCount)
                binds.append(file.keyCount)
                binds.append(cutoff)
                binds.append(first)
                binds.append(lastKey)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            WITH file AS (
                                INSERT INTO \(schema).national_file (name, batch_start, batch_end, number, file_count, key_count)
                                VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)
                            UPDATE \(schema).exposure SET national_file_id = (SELECT id FROM file)
                            WHERE national_file_id IS NULL AND created_at <= $7 AND exposure_key >= $8 AND exposure_key <= $9
                            """, binds: binds), logger: connection.logger)
                offset += Int64(file.keyCount)
            }
            if count == 0 {
                var binds = PostgresBindings()
                for value in [last.batchStart, last.batchEnd] { binds.append(value) }
                binds.append(last.name)
                binds.append(last.number)
                binds.append(last.fileCount)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO \(schema).national_file (name, batch_start, batch_end, number, file_count, key_count) VALUES ($3, $1, $2, $4, $5, 0)
                            """, binds: binds), logger: connection.logger)
            }
            if revisions > 0 {
                var binds = PostgresBindings()
                binds.append(cutoff)
                binds.append(last.name)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
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
        return try await storedKeys(
            where: "revised_national_file_id = (SELECT id FROM \(schema).national_file WHERE name = $1)",
            binds: Self.binds(name))
    }

    public func unassignedKeyCount(cutoff: Date) async throws -> Int {
        if isReference { return 0 }
        if try await database.isMissing() { return 0 }
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT (SELECT count(*) FROM \(schema).exposure WHERE national_file_id IS NULL AND created_at <= $1)
                         + (SELECT count(*) \(pendingRevisions))
                    """, binds: Self.binds(cutoff)))
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    public func nationalFiles() async throws -> [NationalFileRecord] {
        if try await database.isMissing() { return [] }
        var files: [NationalFileRecord] = []
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT name, batch_start, batch_end, number, file_count, key_count, digest FROM \(schema).national_file ORDER BY name COLLATE "C"
                    """))
        for try await (name, start, end, number, count, keys, digest) in rows.decode((String, Int64, Int64, Int32, Int32, Int32, String?).self) {
            files.append(
                NationalFileRecord(
                    name: name, batchStart: start, batchEnd: end, number: Int(number), fileCount: Int(count),
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
