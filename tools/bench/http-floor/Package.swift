// swift-tools-version:6.0
// The HTTP floor for tools/bench/serve.sh: the stack `gridkeeper serve` runs on, answering a
// fixed body with no work behind it. Its own package so that the project's build and tests do
// not carry it.
import PackageDescription

let package = Package(
    name: "http-floor",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
    ],
    targets: [
        .executableTarget(name: "http-floor", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
