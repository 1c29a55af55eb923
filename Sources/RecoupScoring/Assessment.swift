internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning

/// What Recoup concludes about one return (filled in by the scoring work).
package struct Assessment: Sendable, Codable, Equatable {
    package var returnID: String
    package init(returnID: String) { self.returnID = returnID }
}
