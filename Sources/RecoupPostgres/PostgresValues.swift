internal import Foundation
internal import PostgresNIO
internal import RecoupCore
internal import RecoupInsights
internal import RecoupStore

/// A typed value stored as its raw text: a value that does not read back is a decoding error, never a silent string.
protocol StoredText: RawRepresentable, PostgresNonThrowingEncodable, PostgresDecodable where RawValue == String {}

extension StoredText {
    static var psqlType: PostgresDataType { .text }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        rawValue.encode(into: &byteBuffer, context: context)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from byteBuffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard let value = Self(rawValue: try String(from: &byteBuffer, type: type, format: format, context: context)) else {
            throw PostgresDecodingError.Code.failure
        }
        self = value
    }
}

extension QueueState: StoredText {}
extension AnomalyStatus: StoredText {}
extension ReviewDecision: StoredText {}
extension Role: StoredText {}
extension AuditKind: StoredText {}
extension ModelEventOutcome: StoredText {}
extension Disposition: StoredText {}
extension Grade: StoredText {}
extension LaneName: StoredText {}
extension RollupDimension: StoredText {}
extension CycleStage: StoredText {}
extension ReturnDecision: StoredText {}
extension RefundTiming: StoredText {}

extension PostgresRandomAccessRow {
    /// A column decoded as `Value` (an optional type for a nullable column), or ``StoreError/corrupt(_:)`` naming the
    /// column and what it holds.
    func get<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        let cell = self[column]
        do {
            return try cell.decode(Value.self)
        } catch {
            throw StoreError.corrupt("column \(column) (\(cell.dataType)) does not read as \(Value.self): \(error)")
        }
    }

    /// A time column.
    func date(_ column: String) throws -> Date { Date(storedSeconds: try get(column)) }

    /// An optional time column.
    func optionalDate(_ column: String) throws -> Date? { try get(column, as: Double?.self).map(Date.init(storedSeconds:)) }
}
