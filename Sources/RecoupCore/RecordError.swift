/// Where a record came from: what an error message names when the record has no usable `return_id`.
package enum RecordPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A CSV record, by the (1-based) physical line it starts on; the header is line 1.
    case line(Int)
    /// An element of a JSON `returns` array (0-based).
    case index(Int)
    /// A lone record (one JSON object, one set of named fields).
    case single

    package var description: String {
        switch self {
        case .line(let line): "line \(line)"
        case .index(let index): "returns[\(index)]"
        case .single: "record"
        }
    }
}

/// A record that breaks the contract: which record, which field, the offending value and what was expected.
///
/// In a batch every bad record yields at least one of these (one per bad field) and the good records go on.
package struct RecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The record, by position.
    package var position: RecordPosition
    /// The record's `return_id` when it could be read.
    package var returnID: String?
    /// The field (contract name, or the CSV column name for syntax errors); `nil` when the whole record is at fault.
    package var field: String?
    /// The offending value, shortened to 80 characters; `nil` when there is none (a missing value).
    package var value: String?
    /// What is wrong.
    package var kind: Kind

    /// The specific ways a record can break the contract's encoding rules.
    package enum Kind: Sendable, Hashable {
        // CSV syntax (RFC 4180)
        /// A quoted field is not closed before the end of the input.
        case unterminatedQuote
        /// Something other than a comma or a line break follows a closing quote.
        case textAfterClosingQuote
        /// A double quote inside a field that does not start with one.
        case quoteInUnquotedField
        /// The record has a different number of fields than the header.
        case fieldCount(expected: Int, found: Int)
        /// The bytes are not valid UTF-8.
        case invalidUTF8
        /// Text holding the character U+0000 (a JSON `\u0000`), which no store keeps in text.
        case nulCharacter
        // JSON structure
        /// An element of `returns` is not a JSON object.
        case notAnObject(found: String)
        /// A field holds a JSON object or array instead of a scalar.
        case wrongJSONType(found: String)
        // Values
        /// A required field is empty, `null` or absent.
        case missingValue
        /// Not a number: letters, several points, a sign in the middle…
        case malformedNumber
        /// A comma in a number: the decimal point is `.` and there is no thousands separator.
        case commaInNumber
        /// `NaN` is bad input, not a missing value.
        case notANumber
        /// `inf` / `infinity` is bad input.
        case infinite
        /// A number too large for its type.
        case numberOutOfRange
        /// A fractional value where an integer is expected.
        case notAnInteger
        /// A number outside the field's range (negative price, rate above 1, quantity 0…).
        case outOfRange
        /// Not one of true/false, 1/0, yes/no.
        case malformedBoolean
        /// Not `YYYY-MM-DD` or an ISO 8601 timestamp, or a day that does not exist.
        case malformedDate
        /// `return_requested_date` is before `order_date`.
        case requestedBeforeOrder(orderDate: Day)
        /// A string outside its length limits (`return_id`: 1 to 128 characters).
        case lengthOutOfRange(max: Int)
        /// A `disposition` that is not one of the eight.
        case unknownDisposition
    }

    package init(position: RecordPosition, returnID: String? = nil, field: String?, value: String?, kind: Kind) {
        self.position = position
        self.returnID = returnID
        self.field = field
        self.value = value.map(Self.shortened)
        self.kind = kind
    }

    package init(position: RecordPosition, returnID: String? = nil, field: ContractField, value: String?, kind: Kind) {
        self.init(position: position, returnID: returnID, field: field.name, value: value, kind: kind)
    }

    /// `line 7 (return_id R-12), unit_price: "12,50" has a comma; expected a number >= 0 with "." as the decimal point…`
    package var description: String {
        var text = position.description
        if let returnID { text += " (return_id \(Self.quoted(returnID)))" }
        if let field { text += ", \(field)" }
        text += ": " + problem
        if let field, let expected = ContractField(name: field)?.expectation, kind.expectsValue {
            text += "; expected \(expected)"
        }
        return text
    }

    private var problem: String {
        let shown = value.map(Self.quoted) ?? "the value"
        switch kind {
        case .unterminatedQuote: return "a quoted field is not closed before the end of the input"
        case .textAfterClosingQuote: return "\(shown): text follows the closing quote (expected a comma or a line break)"
        case .quoteInUnquotedField: return "\(shown): a double quote inside an unquoted field (quote the whole field, doubling inner quotes)"
        case .fieldCount(let expected, let found): return "\(found) fields, but the header has \(expected)"
        case .invalidUTF8: return "the bytes are not valid UTF-8"
        case .nulCharacter: return "the text holds the character U+0000, which text values may not contain"
        case .notAnObject(let found): return "expected a JSON object, found \(found)"
        case .wrongJSONType(let found): return "expected a scalar value, found a JSON \(found)"
        case .missingValue: return "missing (empty, null or absent) but required"
        case .malformedNumber: return "\(shown) is not a number"
        case .commaInNumber: return "\(shown) contains a comma (use \".\" as the decimal point and no thousands separator)"
        case .notANumber: return "\(shown) is NaN, which is bad input, not a missing value"
        case .infinite: return "\(shown) is infinite"
        case .numberOutOfRange: return "\(shown) does not fit in a number of this type"
        case .notAnInteger: return "\(shown) is not an integer"
        case .outOfRange: return "\(shown) is out of range"
        case .malformedBoolean: return "\(shown) is not a boolean"
        case .malformedDate: return "\(shown) is not a valid date"
        case .requestedBeforeOrder(let orderDate): return "\(shown) is before the order_date \(orderDate); expected that day or later"
        case .lengthOutOfRange(let max): return "\(shown) must be 1 to \(max) characters long"
        case .unknownDisposition: return "\(shown) is not a known disposition"
        }
    }

    private static func shortened(_ value: String) -> String {
        value.count <= 80 ? value : String(value.prefix(77)) + "..."
    }

    private static func quoted(_ value: String) -> String {
        "\"" + value.replacing("\n", with: "\\n").replacing("\r", with: "\\r") + "\""
    }
}

extension RecordError.Kind {
    /// Whether the message should end with what the field expects (value errors, not syntax errors).
    var expectsValue: Bool {
        switch self {
        case .unterminatedQuote, .textAfterClosingQuote, .quoteInUnquotedField, .fieldCount, .invalidUTF8, .nulCharacter,
            .notAnObject, .wrongJSONType, .requestedBeforeOrder:
            false
        default:
            true
        }
    }
}

/// Every problem of one bad record (at least one).
package struct RecordErrors: Error, Sendable, Hashable, CustomStringConvertible {
    package var errors: [RecordError]

    package init(_ errors: [RecordError]) {
        self.errors = errors
    }

    package var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// An input that cannot be read as records at all (as opposed to a bad record inside a readable batch).
package enum ReturnInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No header row (the input is empty or blank).
    case noHeader
    /// Required columns are absent from the CSV header; names them all.
    case missingColumns([String])
    /// A column name appears twice in the CSV header.
    case duplicateColumn(String)
    /// The JSON is not well-formed: the byte offset and what was expected there.
    case malformedJSON(offset: Int, expected: String)
    /// The JSON top level is neither a record object nor `{"returns": [...]}`.
    case unexpectedJSONShape(String)
    /// `returns` holds something other than an array.
    case returnsNotAnArray(found: String)
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)

    package var description: String {
        switch self {
        case .noHeader: "the CSV input is empty: expected a header row naming the contract's columns"
        case .missingColumns(let names):
            "missing required column\(names.count == 1 ? "" : "s") " + names.map { "\"\($0)\"" }.joined(separator: ", ")
        case .duplicateColumn(let name): "column \"\(name)\" appears more than once in the header"
        case .malformedJSON(let offset, let expected): "malformed JSON at byte \(offset): expected \(expected)"
        case .unexpectedJSONShape(let found):
            "expected a JSON object with the contract's keys or {\"returns\": [...]}, found \(found)"
        case .returnsNotAnArray: "returns must be an array of return records"
        case .unreadableFile(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}

/// Something about a readable input worth telling its producer once (not per record).
package enum InputWarning: Sendable, Hashable, CustomStringConvertible {
    /// CSV columns that are not in the contract; they are ignored.
    case extraColumns([String])
    /// JSON keys that are not in the contract; they are ignored.
    case unknownKeys([String])

    package var description: String {
        switch self {
        case .extraColumns(let names):
            "ignored \(names.count) column\(names.count == 1 ? "" : "s") not in the contract: "
                + names.map { "\"\($0)\"" }.joined(separator: ", ")
        case .unknownKeys(let names):
            "ignored \(names.count) key\(names.count == 1 ? "" : "s") not in the contract: "
                + names.map { "\"\($0)\"" }.joined(separator: ", ")
        }
    }
}
