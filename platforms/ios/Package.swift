// swift-tools-version:5.9
// TetherSwift: the Swift layer over the gomobile framework. On macOS,
// `make -C platforms/ios ios` builds build/ios/Tether.xcframework from bind/
// and links it here as Tether.xcframework; then `swift build` (macOS) or
// Xcode (iOS) builds this package.
import PackageDescription

let package = Package(
    name: "TetherSwift",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [.library(name: "TetherSwift", targets: ["TetherSwift"])],
    targets: [
        .binaryTarget(name: "Tether", path: "Tether.xcframework"),
        .target(name: "TetherSwift", dependencies: ["Tether"], path: "Sources/TetherSwift"),
    ]
)
