/// The version of Recoup, reported by `recoup --version` and `GET /healthz`.
package enum RecoupVersion {
    package static let current = "0.1.0"
}
