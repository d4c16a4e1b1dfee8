import Foundation
import MigrationStores
import Testing

@Suite("PostgreSQL locations: parsing, TLS mode, schema, credentials kept out of the plan")
struct PostgresLocationTests {
    @Test("a URL gives host, port, user, database, TLS mode (default prefer) and schema (default enmigrate)")
    func parses() throws {
        let plain = try PostgresLocation(url: "postgres://migrator@db.example:6543/national")
        #expect(plain.host == "db.example" && plain.port == 6543 && plain.username == "migrator" && plain.database == "national")
        #expect(plain.tls == .prefer && plain.schema == "enmigrate")
        let tuned = try PostgresLocation(url: "postgresql://m@127.0.0.1/keys?sslmode=require&schema=us_xx")
        #expect(tuned.port == 5432 && tuned.tls == .require && tuned.schema == "us_xx")
        #expect(tuned.description == "postgres://m@127.0.0.1:5432/keys?sslmode=require&schema=us_xx")
    }

    @Test("a password in the URL is refused without being repeated; bad modes and schemas are named")
    func refuses() {
        for (url, needle) in [
            ("postgres://m:secret@h/db", "PGPASSWORD"), ("postgres://m@h/db?password=secret", "PGPASSWORD"),
            ("postgres://m@h/db?sslmode=verify-full", "sslmode"), ("postgres://m@h/db?schema=Bad-Name", "schema"),
            ("mysql://h/db", "postgres://"),
        ] {
            do {
                _ = try PostgresLocation(url: url)
                Issue.record("\(url) was accepted")
            } catch {
                #expect(error.description.contains(needle), "\(error)")
                #expect(!error.description.contains("secret"), "the password leaked: \(error)")
            }
        }
    }

    @Test("the password comes from PGPASSWORD or a file readable by its owner only")
    func password() throws {
        #expect(try PostgresLocation.password(environment: ["PGPASSWORD": "p1"]) == "p1")
        #expect(try PostgresLocation.password(environment: [:]) == nil)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("enmigrate-pg-\(UUID().uuidString)")
        try Data("p2\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: PostgresLocationError.self) { try PostgresLocation.password(environment: ["ENMIGRATE_PG_PASSWORD_FILE": file.path]) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(try PostgresLocation.password(environment: ["ENMIGRATE_PG_PASSWORD_FILE": file.path]) == "p2")
    }
}
