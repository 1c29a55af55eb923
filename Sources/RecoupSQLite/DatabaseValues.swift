internal import Foundation
internal import GRDB
internal import RecoupCore
internal import RecoupInsights
internal import RecoupStore

// Typed values stored as their raw text: a value that does not read back is a decoding error, never a silent string.
extension QueueState: DatabaseValueConvertible {}
extension AnomalyStatus: DatabaseValueConvertible {}
extension ReviewDecision: DatabaseValueConvertible {}
extension Role: DatabaseValueConvertible {}
extension AuditKind: DatabaseValueConvertible {}
extension ModelEventOutcome: DatabaseValueConvertible {}
extension Disposition: DatabaseValueConvertible {}
extension Grade: DatabaseValueConvertible {}
extension LaneName: DatabaseValueConvertible {}
extension RollupDimension: DatabaseValueConvertible {}
extension CycleStage: DatabaseValueConvertible {}
extension ReturnDecision: DatabaseValueConvertible {}
extension RefundTiming: DatabaseValueConvertible {}

extension Row {
    /// A typed column that must read back, or ``StoreError/corrupt(_:)`` naming the column and the value found.
    func required<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        let value: DatabaseValue = self[column]
        guard let typed = Value.fromDatabaseValue(value) else {
            throw StoreError.corrupt("column \(column) holds \(value), not a valid \(Value.self)")
        }
        return typed
    }

    /// A time column.
    func date(_ column: String) -> Date { Date(storedSeconds: self[column]) }

    /// An optional time column.
    func optionalDate(_ column: String) -> Date? { (self[column] as Double?).map(Date.init(storedSeconds:)) }
}

extension Database {
    /// The rows of a query whose values are bound through SQL interpolation (never spliced into the text).
    func rows(_ sql: SQL) throws -> [Row] { try Row.fetchAll(self, SQLRequest(literal: sql)) }

    /// The first row of a query, or `nil`.
    func row(_ sql: SQL) throws -> Row? { try Row.fetchOne(self, SQLRequest(literal: sql)) }

    /// The first column of the first row, or `nil`.
    func value<Value: DatabaseValueConvertible>(_ sql: SQL, as type: Value.Type = Value.self) throws -> Value? {
        try Value.fetchOne(self, SQLRequest(literal: sql))
    }

    /// The first column of every row.
    func values<Value: DatabaseValueConvertible>(_ sql: SQL, as type: Value.Type = Value.self) throws -> [Value] {
        try Value.fetchAll(self, SQLRequest(literal: sql))
    }
}
