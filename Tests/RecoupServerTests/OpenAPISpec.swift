import Foundation

/// A YAML node: the subset of YAML that `openapi.yaml` is written in (block and flow mappings and sequences, plain,
/// quoted and block scalars). Enough for the tests to read the document as data; anything outside the subset is an
/// error naming the line, so that a construct the reader does not know cannot pass unread.
indirect enum YAMLNode: Equatable, Sendable, CustomStringConvertible {
    case map([(key: String, value: YAMLNode)])
    case list([YAMLNode])
    case scalar(String)

    static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        switch (a, b) {
        case (.map(let x), .map(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.list(let x), .list(let y)): x == y
        case (.scalar(let x), .scalar(let y)): x == y
        default: false
        }
    }

    subscript(key: String) -> YAMLNode? {
        if case .map(let entries) = self { entries.first { $0.key == key }?.value } else { nil }
    }

    var entries: [(key: String, value: YAMLNode)] { if case .map(let e) = self { e } else { [] } }
    var items: [YAMLNode] { if case .list(let i) = self { i } else { [] } }
    var string: String? { if case .scalar(let s) = self { s } else { nil } }

    var description: String {
        switch self {
        case .scalar(let s): s
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries): "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

struct YAMLError: Error, CustomStringConvertible {
    var line: Int
    var message: String
    var description: String { "openapi.yaml line \(line): \(message)" }
}

/// Reads the YAML subset described at ``YAMLNode``.
struct YAMLReader {
    private struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    private var lines: [Line]
    private var index = 0

    static func parse(_ text: String) throws -> YAMLNode {
        var reader = YAMLReader(text: text)
        let node = try reader.block(indent: 0)
        if reader.index < reader.lines.count {
            throw YAMLError(line: reader.lines[reader.index].number, message: "unexpected indentation")
        }
        return node
    }

    private init(text: String) {
        var lines: [Line] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = raw.prefix { $0 == " " }.count
            let body = raw.dropFirst(indent)
            if body.isEmpty || body.hasPrefix("#") { continue }
            lines.append(Line(number: n + 1, indent: indent, text: body))
        }
        self.lines = lines
    }

    private func isItem(_ line: Line) -> Bool { line.text.hasPrefix("- ") || line.text == "-" }

    /// A mapping or a sequence whose entries start at exactly `indent`.
    private mutating func block(indent: Int) throws -> YAMLNode {
        guard index < lines.count, isItem(lines[index]) else { return try mapping(indent: indent) }
        var items: [YAMLNode] = []
        while index < lines.count, lines[index].indent == indent, isItem(lines[index]) {
            let line = lines[index]
            let rest = line.text.dropFirst().drop { $0 == " " }
            if Self.keyEnd(rest) != nil {
                // "- key: value" starts a mapping whose other keys are indented like `key`: read the line as that key.
                lines[index] = Line(number: line.number, indent: indent + line.text.count - rest.count, text: rest)
                items.append(try mapping(indent: lines[index].indent))
            } else {
                index += 1
                items.append(try value(rest, line: line, parentIndent: indent))
            }
        }
        return .list(items)
    }

    private mutating func mapping(indent: Int) throws -> YAMLNode {
        var entries: [(key: String, value: YAMLNode)] = []
        while index < lines.count, lines[index].indent == indent, !isItem(lines[index]) {
            let line = lines[index]
            guard let end = Self.keyEnd(line.text) else { throw YAMLError(line: line.number, message: "expected `key: value`") }
            let key = try Self.unquote(line.text[..<end], line: line.number)
            let rest = line.text[line.text.index(after: end)...].drop { $0 == " " }
            index += 1
            if !rest.isEmpty {
                entries.append((key, try value(rest, line: line, parentIndent: indent)))
            } else if index < lines.count, lines[index].indent > indent, let f = lines[index].text.first, f == "{" || f == "[" {
                let next = lines[index]  // a flow collection on the lines below its key
                index += 1
                entries.append((key, try value(next.text, line: next, parentIndent: indent)))
            } else if index < lines.count, lines[index].indent > indent || (lines[index].indent == indent && isItem(lines[index])) {
                entries.append((key, try block(indent: lines[index].indent)))
            } else {
                entries.append((key, .scalar("")))
            }
        }
        return .map(entries)
    }

    /// The value after `key:` or `- `: a block scalar, a flow collection (possibly over several lines) or a scalar.
    private mutating func value(_ rest: Substring, line: Line, parentIndent: Int) throws -> YAMLNode {
        if rest == "|" || rest == ">-" || rest == ">" || rest == "|-" {
            var parts: [Substring] = []
            let first = index
            while index < lines.count, lines[index].indent > parentIndent {
                parts.append(lines[index].text)
                index += 1
            }
            if index == first { return .scalar("") }
            let literal = rest.hasPrefix("|")
            let joined = parts.joined(separator: literal ? "\n" : " ")
            return .scalar(rest.hasSuffix("-") ? joined : joined + "\n")
        }
        if rest.hasPrefix("{") || rest.hasPrefix("[") {
            var text = String(rest)
            while !Self.balanced(text) {
                guard index < lines.count else { throw YAMLError(line: line.number, message: "unclosed flow collection") }
                text += " " + lines[index].text
                index += 1
            }
            var flow = FlowReader(text: Array(text.unicodeScalars), line: line.number)
            let node = try flow.node()
            flow.skipSpace()
            guard flow.atEnd else { throw YAMLError(line: line.number, message: "text after a flow collection") }
            return node
        }
        return .scalar(try Self.unquote(rest, line: line.number))
    }

    /// Where the `:` of `key: value` (or `key:` at the end) is, outside quotes; `nil` when the line is not a key.
    private static func keyEnd(_ text: Substring) -> Substring.Index? {
        var i = text.startIndex
        if let q = text.first, q == "'" || q == "\"" {
            i = text.index(after: i)
            while i < text.endIndex, text[i] != q { i = text.index(after: i) }
            guard i < text.endIndex else { return nil }
            i = text.index(after: i)
            return i < text.endIndex && text[i] == ":" ? i : nil
        }
        if let f = text.first, "{[|>".contains(f) { return nil }
        while i < text.endIndex {
            if text[i] == ":" {
                let next = text.index(after: i)
                if next == text.endIndex || text[next] == " " { return i }
            }
            i = text.index(after: i)
        }
        return nil
    }

    private static func balanced(_ text: String) -> Bool {
        var depth = 0
        var quote: Character?
        for c in text {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "{" || c == "[" {
                depth += 1
            } else if c == "}" || c == "]" {
                depth -= 1
            }
        }
        return depth == 0 && quote == nil
    }

    static func unquote(_ text: Substring, line: Int) throws -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let q = t.first, q == "'" || q == "\"" else { return t }
        var flow = FlowReader(text: Array(t.unicodeScalars), line: line)
        let node = try flow.node()
        guard flow.atEnd, let s = node.string else { throw YAMLError(line: line, message: "bad quoted scalar \(t)") }
        return s
    }
}

/// Flow collections: `{k: v, ...}`, `[v, ...]`, quoted and plain scalars.
private struct FlowReader {
    let text: [Unicode.Scalar]
    let line: Int
    var i = 0

    init(text: [Unicode.Scalar], line: Int) {
        self.text = text
        self.line = line
    }

    var atEnd: Bool { i >= text.count }

    mutating func skipSpace() { while i < text.count, text[i] == " " || text[i] == "\t" { i += 1 } }

    mutating func node() throws -> YAMLNode {
        skipSpace()
        guard i < text.count else { throw YAMLError(line: line, message: "missing value") }
        switch text[i] {
        case "{":
            i += 1
            var entries: [(key: String, value: YAMLNode)] = []
            while true {
                skipSpace()
                if i < text.count, text[i] == "}" {
                    i += 1
                    return .map(entries)
                }
                guard case .scalar(let key) = try scalar(stopAtColon: true) else { throw YAMLError(line: line, message: "bad key") }
                skipSpace()
                guard i < text.count, text[i] == ":" else { throw YAMLError(line: line, message: "expected `:` after \(key)") }
                i += 1
                entries.append((key, try node()))
                try separator(closing: "}")
            }
        case "[":
            i += 1
            var items: [YAMLNode] = []
            while true {
                skipSpace()
                if i < text.count, text[i] == "]" {
                    i += 1
                    return .list(items)
                }
                items.append(try node())
                try separator(closing: "]")
            }
        default:
            return try scalar(stopAtColon: false)
        }
    }

    private mutating func separator(closing: Unicode.Scalar) throws {
        skipSpace()
        guard i < text.count else { throw YAMLError(line: line, message: "unclosed flow collection") }
        if text[i] == "," {
            i += 1
        } else if text[i] != closing {
            throw YAMLError(line: line, message: "expected `,` or `\(closing)`")
        }
    }

    private mutating func scalar(stopAtColon: Bool) throws -> YAMLNode {
        skipSpace()
        guard i < text.count else { throw YAMLError(line: line, message: "missing scalar") }
        let q = text[i]
        if q == "'" || q == "\"" {
            i += 1
            var s = String.UnicodeScalarView()
            while true {
                guard i < text.count else { throw YAMLError(line: line, message: "unclosed quote") }
                let c = text[i]
                i += 1
                if c == q {
                    if q == "'", i < text.count, text[i] == "'" {  // '' inside single quotes
                        s.append("'")
                        i += 1
                        continue
                    }
                    return .scalar(String(s))
                }
                if q == "\"", c == "\\", i < text.count {
                    let e = text[i]
                    i += 1
                    switch e {
                    case "n": s.append("\n")
                    case "t": s.append("\t")
                    default: s.append(e)
                    }
                    continue
                }
                s.append(c)
            }
        }
        var s = String.UnicodeScalarView()
        while i < text.count {
            let c = text[i]
            if c == "," || c == "}" || c == "]" { break }
            if stopAtColon, c == ":", i + 1 >= text.count || text[i + 1] == " " { break }
            s.append(c)
            i += 1
        }
        return .scalar(String(s).trimmingCharacters(in: .whitespaces))
    }
}
