import Foundation
import RecoupCore
import Testing

@testable import RecoupFeatures

/// The features tests' data: a 600-row labelled CSV (seeded), split into batches.
enum Fixtures {
    static let csv: [UInt8] = {
        let url = Bundle.module.url(forResource: "returns-600", withExtension: "csv", subdirectory: "Fixtures")!
        return Array(try! Data(contentsOf: url))
    }()

    static let labelled: [LabelledReturn] = try! ReturnCSVReader.read(csv, labels: .require).labelled

    static var records: [ReturnRecord] { labelled.map(\.record) }

    /// A small spec exercising every kind (k = 5 so that the 600 rows keep their levels).
    static let spec: FeatureSpec = {
        var spec = try! FeatureSpec.default
        spec.minLevelCount = 5
        return spec
    }()

    static let fitted: FittedFeatureSpec = try! spec.fit(Array(records.prefix(400)))

    static let extractor = FeatureExtractor(fitted)
}
