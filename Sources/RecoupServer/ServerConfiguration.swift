/// How `recoup serve` runs: where it listens, which database and which models it uses.
///
/// A `Sendable` value with defaults; the executable fills it from its command-line options. Nothing below the
/// executable reads the environment.
package struct ServerConfiguration: Sendable, Equatable {
    /// Interface to bind.
    package var host: String = "127.0.0.1"
    /// TCP port to bind (0 picks a free port).
    package var port: Int = 8080
    /// SQLite database file.
    package var databasePath: String = "var/recoup.sqlite"
    /// Folder holding model bundles and `ACTIVE`.
    package var modelsDirectory: String = "models"

    package init() {}

    package init(host: String, port: Int, databasePath: String, modelsDirectory: String) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.modelsDirectory = modelsDirectory
    }
}
