internal import ArgumentParser
internal import Foundation
internal import RecoupPostgres
internal import RecoupSQLite
internal import RecoupScoring
internal import RecoupStore

/// Loading what several commands share: a scorer from a bundle and a policy, the database.
enum CommandSupport {
    static func scorer(model: String?, lanePolicy: String?, models: String = "models") throws -> Scorer {
        let bundle: ModelBundle
        do {
            bundle =
                try model.map { try ModelBundle.load(from: URL(fileURLWithPath: $0)) }
                ?? ModelBundle.loadActive(from: URL(fileURLWithPath: models))
        } catch let error as ModelBundleError {
            throw CommandError(error.description)
        }
        return Scorer(bundle: bundle, policy: try policy(lanePolicy))
    }

    static func policy(_ path: String?) throws -> LanePolicy {
        guard let path else { return .default }
        do { return try LanePolicy.load(from: Data(InputFiles.read(path)), source: path) } catch let e as LanePolicyError {
            throw CommandError(e.description)
        }
    }

    static func governancePolicy(_ path: String?) throws -> GovernancePolicy {
        guard let path else { return .default }
        do { return try GovernancePolicy.load(from: Data(InputFiles.read(path)), source: path) } catch let e as GovernancePolicyError {
            throw CommandError(e.description)
        }
    }
}

/// The database a `--db` value names: a `postgres://` or `postgresql://` URL selects PostgreSQL, anything else is a
/// SQLite file.
enum StoreAccess {
    /// The help of every `--db` option.
    static let help: ArgumentHelp =
        "SQLite database file, or a PostgreSQL URL (postgresql://user:password@host:port/database)."

    /// Runs `body` with the store `location` names, opened and migrated (a PostgreSQL pool runs for the body's
    /// duration). A SQLite file must exist when `mustExist` (a command that reads the service's data must not create
    /// an empty one). Failures to open are one line naming the database and what failed.
    static func withStore<Result>(
        _ location: String,
        mustExist: Bool = true,
        _ body: (any ReturnsStore) async throws -> Result
    ) async throws -> Result {
        if PostgresStore.handles(location) {
            do {
                return try await PostgresStore.withStore(url: location) { store in try await body(store) }
            } catch let error as StoreError {
                throw CommandError(error.description)
            }
        }
        if mustExist, !FileManager.default.fileExists(atPath: location) { throw CommandError("no database at \(location)") }
        let store: SQLiteStore
        do { store = try SQLiteStore.open(path: location) } catch { throw CommandError(error.description) }
        return try await body(store)
    }
}
