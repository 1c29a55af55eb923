internal import Foundation
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

enum StoreAccess {
    /// An existing store (a command that reads the service's data must not create an empty one).
    static func open(_ path: String) throws -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: path) else { throw CommandError("no database at \(path)") }
        do { return try SQLiteStore.open(path: path) } catch { throw CommandError(error.description) }
    }
}
