// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Ridge",
    products: [
        .library(name: "Ridge", targets: ["Ridge"]),
        .executable(name: "ridge", targets: ["ridge"]),
        .executable(name: "ridge-bench", targets: ["ridge-bench"]),
    ],
    targets: [
        // The system zlib, for gzipped traces (Support/Gzip.swift); headers from zlib1g-dev, which is
        // in swift.org's list of Linux toolchain dependencies, or the macOS SDK.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "Ridge", dependencies: ["CZlib"], path: "Sources/Ridge"),
        .executableTarget(name: "ridge", dependencies: ["Ridge"], path: "Sources/ridge"),
        .executableTarget(name: "ridge-bench", dependencies: ["Ridge"], path: "Sources/ridge-bench"),
        .testTarget(name: "RidgeTests", dependencies: ["Ridge"], path: "Tests/RidgeTests"),
    ],
    swiftLanguageModes: [.v6]
)
