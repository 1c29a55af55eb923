package import GRDB

extension ReturnsDatabase {
    /// The schema, as an append-only list of named migrations. Never edit a shipped migration: add a new one.
    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-service-info") { db in
            // One row per server start: when, which version, which model. Lets operators see restarts.
            try db.create(table: "serviceStart") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("startedAt", .datetime).notNull()
                t.column("version", .text).notNull()
            }
        }
        return migrator
    }
}

extension ReturnsDatabase {
    /// The names of every migration, in order.
    package static var migrationNames: [String] { migrator.migrations }
}
