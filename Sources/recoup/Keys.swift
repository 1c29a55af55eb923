internal import ArgumentParser
internal import Foundation
internal import RecoupService
internal import RecoupStore

extension Recoup {
    /// `recoup keys`: API keys and their roles.
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke API keys.",
            subcommands: [Create.self, List.self, Revoke.self]
        )

        struct DatabaseOption: ParsableArguments {
            @Option(help: StoreAccess.help)
            var db: String = "var/recoup.sqlite"
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a key; its secret is printed once.")
            @OptionGroup var database: DatabaseOption
            @Option(help: "Role: warehouse, risk, analyst or admin.") var role: String
            @Option(help: "A label to recognise the key by.") var label: String?

            func validate() throws {
                guard Role(rawValue: role) != nil else {
                    throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")); got \(role)")
                }
            }

            func run() async throws {
                try await StoreAccess.withStore(database.db, mustExist: false) { store in
                    let created = try await APIKeys(store: store).create(role: Role(rawValue: role)!, label: label, now: Date())
                    print("id \(created.stored.id), role \(role): \(created.plaintext)")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
            @OptionGroup var database: DatabaseOption

            func run() async throws {
                let keys = try await StoreAccess.withStore(database.db, mustExist: false) { store in try await store.keys() }
                print("id\tprefix\trole\tstatus\tcreated\tlabel")
                for key in keys {
                    let status = key.revokedAt == nil ? "active" : "revoked"
                    print("\(key.id)\t\(key.prefix)\t\(key.role.rawValue)\t\(status)\t\(key.createdAt.ISO8601Format())\t\(key.label ?? "")")
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a key by id; it stops working at once.")
            @OptionGroup var database: DatabaseOption
            @Argument(help: "The key's id (see `recoup keys list`).") var id: Int64

            func run() async throws {
                try await StoreAccess.withStore(database.db, mustExist: false) { store in try await store.revokeKey(id: id, now: Date()) }
                print("revoked key \(id)")
            }
        }
    }
}
