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
        .target(name: "Ridge", path: "Sources/Ridge"),
        .executableTarget(name: "ridge", dependencies: ["Ridge"], path: "Sources/ridge"),
        .executableTarget(name: "ridge-bench", dependencies: ["Ridge"], path: "Sources/ridge-bench"),
        .testTarget(name: "RidgeTests", dependencies: ["Ridge"], path: "Tests/RidgeTests"),
    ],
    swiftLanguageModes: [.v6]
)
