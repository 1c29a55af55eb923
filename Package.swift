// swift-tools-version: 6.2
// Recoup: returns scoring and inspection prioritization.
// Module map and rationale: README.md ("Architecture"). A target exists only where the dependency set differs.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "recoup",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "recoup", targets: ["recoup"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System OpenBLAS (Debian: libopenblas-dev) through a shim header over cblas.h.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        // Contract vocabulary: ReturnRecord, labels, CSV and JSON decoding. No dependencies.
        .target(name: "RecoupCore", swiftSettings: swiftSettings),
        // Domain-free machine learning: BLAS wrapper, logistic regression, boosted trees, metrics.
        .target(name: "RecoupLearning", dependencies: ["COpenBLAS"], swiftSettings: swiftSettings),
        // FeatureSpec, fit and extract: the one feature path shared by training and serving. Uses Learning's
        // Matrix and BinMapper so that the matrices it fills are the ones the learners take, without a copy.
        .target(
            name: "RecoupFeatures",
            dependencies: ["RecoupCore", "RecoupLearning"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // Model bundle, scorer, explanations, lane policy and priority.
        .target(
            name: "RecoupScoring",
            dependencies: [
                "RecoupCore", "RecoupFeatures", "RecoupLearning",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // Training pipeline, evaluation and insights reports, replay simulator, synthetic data generator.
        .target(name: "RecoupTraining", dependencies: ["RecoupScoring", "RecoupInsights"], swiftSettings: swiftSettings),
        // Insights over many returns: root causes against a baseline (exact tests, FDR control), repeat returners,
        // margin leakage. Only the record's vocabulary is needed.
        .target(name: "RecoupInsights", dependencies: ["RecoupCore"], swiftSettings: swiftSettings),
        // The store: what Recoup keeps (queue states, anomaly statuses, roles, records) and the `ReturnsStore` protocol.
        .target(name: "RecoupStore", dependencies: ["RecoupCore", "RecoupInsights"], swiftSettings: swiftSettings),
        // The embedded store: SQLite (WAL) through GRDB, implementing `ReturnsStore`.
        .target(
            name: "RecoupSQLite",
            dependencies: ["RecoupStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The shared store: PostgreSQL through postgres-nio (a pool run as a service), implementing `ReturnsStore` for
        // several replicas of the service on one database.
        .target(
            name: "RecoupPostgres",
            dependencies: [
                "RecoupStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The application layer: one use case per verb over `any ReturnsStore`, model hot swap, background services,
        // metrics through swift-metrics, CPU-heavy batches on NIO's thread pool.
        .target(
            name: "RecoupService",
            dependencies: [
                "RecoupScoring", "RecoupStore", "RecoupInsights",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP adapter (Hummingbird 2) over the use cases: routes, auth, request decoding, error mapping; and the
        // web pages under /ui (Mustache templates, sessions, their own small JS and CSS).
        .target(
            name: "RecoupServer",
            dependencies: [
                "RecoupService", "RecoupInsights",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "recoup",
            dependencies: [
                "RecoupTraining", "RecoupServer", "RecoupSQLite", "RecoupPostgres", "RecoupInsights",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmark harness (`benchmarks/run.sh` drives it next to scikit-learn, LightGBM, XGBoost and pandas).
        .executableTarget(
            name: "recoup-bench",
            dependencies: [
                "RecoupTraining", "RecoupSQLite", "RecoupServer",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // What tests share: a small model trained in a second. Not part of any product.
        .target(name: "RecoupTestSupport", dependencies: ["RecoupTraining"], swiftSettings: swiftSettings),
        // The stores the behaviour suites run against: SQLite, and PostgreSQL when `make test` started a server.
        .target(
            name: "RecoupTestStores",
            dependencies: ["RecoupSQLite", "RecoupPostgres", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "RecoupCoreTests", dependencies: ["RecoupCore"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "RecoupLearningTests",
            dependencies: ["RecoupLearning"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecoupFeaturesTests",
            dependencies: ["RecoupFeatures"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "RecoupScoringTests", dependencies: ["RecoupScoring", "RecoupTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RecoupInsightsTests",
            dependencies: ["RecoupInsights", "RecoupTraining", "RecoupLearning"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "RecoupTrainingTests", dependencies: ["RecoupTraining", "RecoupTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RecoupStoreTests",
            dependencies: [
                "RecoupStore", "RecoupSQLite", "RecoupPostgres", "RecoupTestStores", "RecoupInsights",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecoupServiceTests",
            dependencies: [
                "RecoupService", "RecoupSQLite", "RecoupTestSupport", "RecoupTestStores",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecoupServerTests",
            dependencies: [
                "RecoupServer", "RecoupSQLite", "RecoupTestSupport", "RecoupTestStores", "RecoupInsights", "RecoupLearning", "RecoupTraining",
                "recoup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecoupCLITests",
            dependencies: ["recoup", "RecoupTestSupport", "RecoupInsights", "RecoupTraining"],
            swiftSettings: swiftSettings
        ),
    ]
)
