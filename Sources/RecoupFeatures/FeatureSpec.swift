internal import RecoupCore

/// The declarative description of Recoup's model inputs (filled in by the features work).
package struct FeatureSpec: Sendable, Codable, Equatable {
    package var formatVersion: Int = 1
    package init() {}
}
