internal import Foundation
package import RecoupLearning

/// A ``FeatureSpec`` with everything learnt from the training data: level vocabularies, clip bounds, means and
/// scales, and the tree bins. `Codable` (it travels inside the model bundle) and identified by ``fingerprint``.
///
/// Build a ``FeatureExtractor`` from it to fill matrices; read ``columns`` to explain them.
package struct FittedFeatureSpec: Sendable, Codable, Equatable {
    /// Format of the fitted spec.
    package static let currentFormatVersion = 1

    package var formatVersion: Int
    /// The spec it was fitted from.
    package var spec: FeatureSpec
    /// Every column, in the order of the dense matrix.
    package var columns: [FeatureColumn]
    /// The columns the trees see (indices into ``columns``), in the order of the binned matrix.
    package var treeColumns: [Int]
    /// Quantile bins of the tree columns (feature `k` of the mapper is column `treeColumns[k]`).
    package var binMapper: BinMapper
    /// Records `fit` was given, and how many of them the statistics were computed on.
    package var trainingRecords: Int
    package var sampledRecords: Int

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case spec, columns
        case treeColumns = "tree_columns"
        case binMapper = "bin_mapper"
        case trainingRecords = "training_records"
        case sampledRecords = "sampled_records"
    }

    /// Width of the dense (linear) matrix.
    package var denseWidth: Int { columns.count }
    /// Width of the binned (tree) matrix.
    package var treeWidth: Int { treeColumns.count }
    /// Dense column names, in order.
    package var columnNames: [String] { columns.map(\.name) }
    /// Tree column names, in order.
    package var treeColumnNames: [String] { treeColumns.map { columns[$0].name } }

    /// The levels kept for a one-hot feature, in column order (without `<unknown>` and `<missing>`).
    package func levels(of feature: String) -> [String] {
        columns.filter { $0.feature == feature && $0.role == .level }.compactMap(\.level)
    }

    /// Key-sorted, compact JSON: the canonical encoding the fingerprint is computed on.
    package func canonicalJSON() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every value is finite by construction, so encoding cannot fail.
        return Array(try! encoder.encode(self))
    }

    /// A stable identifier of everything that determines the features: FNV-1a (64-bit) of ``canonicalJSON()``, in
    /// hex. A model bundle stores it and refuses a fitted spec with another one.
    package var fingerprint: String {
        let hash = FeatureHashing.fnv1a(canonicalJSON())
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Throws unless this spec's fingerprint is `expected`.
    package func requireFingerprint(_ expected: String) throws(FeatureSpecError) {
        let found = fingerprint
        guard found == expected else { throw .fingerprintMismatch(expected: expected, found: found) }
    }

    /// Decodes a fitted spec from JSON (as written by `JSONEncoder`).
    package static func decode(json: [UInt8]) throws(FeatureSpecError) -> FittedFeatureSpec {
        do {
            let fitted = try JSONDecoder().decode(FittedFeatureSpec.self, from: Data(json))
            guard fitted.formatVersion == currentFormatVersion else {
                throw FeatureSpecError.unsupportedFormatVersion(fitted.formatVersion)
            }
            return fitted
        } catch let error as FeatureSpecError {
            throw error
        } catch {
            throw .unreadable(String(describing: error))
        }
    }
}
