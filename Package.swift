// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "GridKeeper",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gridkeeper", targets: ["gridkeeper"]),
        .library(name: "GridKeeper", targets: ["GridKeeper"]),
    ],
    dependencies: [
        // The CLI convention in Swift (help, validation, subcommands, completion); see DESIGN.md.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The HTTP service (`gridkeeper serve`): Hummingbird 2 on SwiftNIO, with the server-side
        // Swift conventions for logs, metrics and a graceful stop on SIGTERM.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        // Hummingbird's own I/O layer: the service answers on its event loops (EventLoopTaskExecutor).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
    ],
    targets: [
        // GEOS's header, and its functions loaded on first use (see Sources/CGEOS): the bulk
        // paths, which answer with the native kernel, start without it. Needs libgeos-dev to build.
        .target(name: "CGEOS", linkerSettings: [.linkedLibrary("dl")]),
        // PROJ's header, and its functions loaded on first use (see Sources/CPROJ): a run that
        // transforms nothing starts without it. Needs libproj-dev to build.
        .target(name: "CPROJ", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // A cache prefetch hint for the kernel's loops (header only).
        .systemLibrary(name: "CPrefetch"),
        .target(name: "Spatial", dependencies: ["CGEOS", "CPROJ", "CSQLite", "CPrefetch"]),
        .target(name: "GridKeeper", dependencies: ["Spatial"]),
        // `gridkeeper serve`: routes over the answer engine; knows HTTP, never GEOS or PROJ.
        .target(
            name: "GridKeeperService",
            dependencies: [
                "GridKeeper",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "gridkeeper",
            dependencies: ["GridKeeper", "GridKeeperService", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log")]
        ),
        // The proof that the native kernel equals GEOS: shared by the tests and the verify-kernel tool.
        .target(name: "KernelVerification", dependencies: ["Spatial"]),
        .executableTarget(name: "verify-kernel", dependencies: ["KernelVerification"]),
        // What the test targets share: finding the external programs a test drives.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SpatialTests", dependencies: ["Spatial", "KernelVerification", "TestSupport"]),
        .testTarget(name: "GridKeeperTests", dependencies: ["GridKeeper", "Spatial", "KernelVerification", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["gridkeeper", "Spatial", "TestSupport"]),
        .testTarget(name: "ServiceTests", dependencies: ["gridkeeper", "GridKeeperService", "TestSupport"]),
    ]
)
