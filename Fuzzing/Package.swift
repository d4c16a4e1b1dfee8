// swift-tools-version:6.2
import PackageDescription

/// libFuzzer targets for the parsers that read untrusted bytes: export archives (zip),
/// export.bin / export.sig protobuf, index.txt, and plan YAML. Kept out of the root package
/// because they only link with `-sanitize=fuzzer`; `scripts/fuzz` builds and runs them with
/// `-Xswiftc -sanitize=fuzzer,address` so the library code is instrumented too.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]

/// A fuzz target has no `main`: libFuzzer's driver calls `LLVMFuzzerTestOneInput`.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + dependencies,
        swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "enmigrate-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        // Named, so the products resolve whatever the checkout folder is called.
        .package(name: "enmigrate", path: "..")
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"], swiftSettings: strictSettings),
        fuzzTarget("FuzzArchive", [.product(name: "ExposureExport", package: "enmigrate")]),
        fuzzTarget("FuzzProtobuf", [.product(name: "ExposureExport", package: "enmigrate")]),
        fuzzTarget("FuzzIndex", [.product(name: "ExposureExport", package: "enmigrate")]),
        fuzzTarget("FuzzPlan", [.product(name: "MigrationPlan", package: "enmigrate")]),
    ]
)
