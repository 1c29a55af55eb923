internal import RecoupCore

/// Why training refused to start or could not finish. Each case says what to fix.
package enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)
    case unreadableInput(String)
    case emptyInput(source: String)
    case noValidRows(source: String, errors: Int, first: String)
    case singleClass(head: String, value: String)
    case tooFewRows(split: String, rows: Int)
    case featureSpec(String)
    case learner(head: String, reason: String)

    package var description: String {
        switch self {
        case .invalidSetting(let why): "invalid training setting: \(why)"
        case .unreadableInput(let why): why
        case .emptyInput(let source): "\(source) has no data rows"
        case .noValidRows(let source, let errors, let first): "\(source): all \(errors) rows are invalid; the first: \(first)"
        case .singleClass(let head, let value):
            "the \(head) head has one class only (every row is \(value)): there is nothing to learn"
        case .tooFewRows(let split, let rows): "the \(split) split has \(rows) rows; at least 20 are needed"
        case .featureSpec(let why): "feature spec: \(why)"
        case .learner(let head, let reason): "training the \(head) head failed: \(reason)"
        }
    }
}
