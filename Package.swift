// swift-tools-version:6.2
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode is the default for tools 6.x; warnings
/// are errors so "no warnings in our code" is enforced by the compiler, not by review.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "enmigrate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "enmigrate", targets: ["enmigrate"]),
        .library(name: "ExposureExport", targets: ["ExposureExport"]),
        // For the fuzz targets in Fuzzing/, a separate package that depends on this one.
        .library(name: "MigrationPlan", targets: ["MigrationPlan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Reading feeds over https:// and loopback http:// (timeouts, size limits, status checks).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // The loopback feed server of the tests and the embedded demo (serves a folder, injects faults).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Graceful shutdown of the loopback server (cancelling it trips a NIO assertion).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The PostgreSQL key store and journal for operators beyond one machine.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // The metrics a long-running apply serves (Prometheus text format, with its registry's
        // name and label checks), on the Hummingbird server that also answers the health probes.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // TLS settings for PostgreSQL connections (sslmode prefer/require).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // MARK: ExposureExport — the export codec: protobuf, zip, index, keys, signing, verification.
        // Works on bytes only; never touches storage.
        .target(
            name: "ExposureExport",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExposureExportTests",
            dependencies: ["ExposureExport", "CaseReport"],
            swiftSettings: strictSettings
        ),

        // Release-mode throughput of the codec (scripts/bench-codec); not a test.
        .executableTarget(
            name: "CodecBenchmark",
            dependencies: ["ExposureExport"],
            path: "Benchmarks/CodecBenchmark",
            swiftSettings: strictSettings
        ),

        // MARK: MigrationPlan — the plan model, YAML decoding with line:column, validation rules, plan hash.
        .target(
            name: "MigrationPlan",
            dependencies: [
                "ExposureExport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MigrationPlanTests",
            dependencies: ["MigrationPlan", "ExposureExport", "CaseReport"],
            // Fixture plans are read from their source folder, not bundled.
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),

        // Release-mode runs of the import, national export and mirror workers on 1,008,000 keys
        // (scripts/bench, scripts/bench-import); not a test.
        .executableTarget(
            name: "WorkerBenchmark",
            dependencies: ["ExposureExport", "MigrationStores", "MigrationWorkers", "LoopbackFeedServer"],
            path: "Benchmarks/WorkerBenchmark",
            swiftSettings: strictSettings
        ),

        // Release-mode validation time of a 500-line plan (scripts/bench-plan); not a test.
        .executableTarget(
            name: "PlanBenchmark",
            dependencies: ["MigrationPlan", "ExposureExport"],
            path: "Benchmarks/PlanBenchmark",
            swiftSettings: strictSettings
        ),

        // MARK: MigrationEngine — the phase state machine and the durable journal and run lock.
        // Knows nothing about export files or stores.
        .target(
            name: "MigrationEngine",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MigrationEngineTests",
            dependencies: ["MigrationEngine"],
            swiftSettings: strictSettings
        ),
        // Runs a scripted migration and can SIGKILL itself at any step boundary, so tests can
        // crash a real process and resume it. Test-only; not a product.
        // Rows of docs/RELIABILITY.md's hostile-input table, written by the tests that prove them
        // (scripts/hostile-inputs). Test-only; not a product.
        .target(
            name: "CaseReport",
            path: "Tests/CaseReport",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "EngineHarness",
            dependencies: ["MigrationEngine"],
            path: "Tests/EngineHarness",
            swiftSettings: strictSettings
        ),

        // MARK: MigrationStoreContracts — what workers may use of a store: the BlobStore,
        // ExposureKeyStore and PublishLedger protocols, their records and in-memory twins. No
        // driver is here, and the workers depend on this alone, so they cannot reach one.
        .target(
            name: "MigrationStoreContracts",
            dependencies: ["ExposureExport", "MigrationEngine"],
            swiftSettings: strictSettings
        ),

        // MARK: MigrationStores — the drivers: file, HTTP, S3, GCS, SQLite and PostgreSQL; every
        // driver passes the same conformance tests as its in-memory twin.
        .target(
            name: "MigrationStores",
            dependencies: [
                "ExposureExport",
                "MigrationStoreContracts",
                // The PostgreSQL journal storage implements the engine's JournalStorage.
                "MigrationEngine",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API under GRDB, for the one statement a million-key import runs per key.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // SigV4 (HMAC-SHA256) for S3; RS256 for the GCS service-account token (CryptoExtras).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MigrationStoresTests",
            dependencies: [
                "MigrationStores", "MigrationEngine", "LoopbackFeedServer", "CaseReport", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: LoopbackFeedServer — a real HTTP server on 127.0.0.1 that serves a folder and
        // misbehaves on command (status codes, delays, truncation); used by tests and the demo.
        .target(
            name: "LoopbackFeedServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: MigrationWorkers — the workers (dual-export, import, cut-over, mirror); they see
        // store protocols, never drivers.
        .target(
            name: "MigrationWorkers",
            dependencies: ["ExposureExport", "MigrationStoreContracts", "MigrationEngine"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MigrationWorkersTests",
            dependencies: ["MigrationWorkers", "ExposureExport", "MigrationStores", "MigrationEngine", "LoopbackFeedServer", "CaseReport"],
            swiftSettings: strictSettings
        ),

        // MARK: MigrationRehearsal — `enmigrate rehearse`: a simulation shaped like an operator's plan,
        // driven through the unchanged apply path in child processes, with injected faults.
        .target(
            name: "MigrationRehearsal",
            dependencies: ["ExposureExport", "MigrationPlan", "MigrationStores", "MigrationEngine", "LoopbackFeedServer"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MigrationRehearsalTests",
            dependencies: ["MigrationRehearsal", "MigrationPlan"],
            swiftSettings: strictSettings
        ),

        // MARK: EnmigrateCLI — one file per verb, rendering, exit codes; the composition root.
        .target(
            name: "EnmigrateCLI",
            dependencies: [
                "ExposureExport",
                "MigrationPlan",
                "MigrationEngine",
                "MigrationStores",
                "MigrationWorkers",
                "LoopbackFeedServer",
                "MigrationRehearsal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // apply and serve-feed run as services: graceful shutdown on SIGINT/SIGTERM/SIGHUP.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EnmigrateCLITests",
            dependencies: ["EnmigrateCLI", "ExposureExport", "MigrationPlan", "MigrationStores", "LoopbackFeedServer", "EngineHarness", "CaseReport"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "enmigrate",
            dependencies: [
                "EnmigrateCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
