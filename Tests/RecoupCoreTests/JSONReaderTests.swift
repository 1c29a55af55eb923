import Foundation
import Testing

@testable import RecoupCore

@Suite("JSON reading")
struct JSONReaderTests {
    static let sample = SampleRecords.make(2, seed: 13)

    /// The sample's JSON object text with some members replaced (`nil` removes the key).
    static func object(_ index: Int = 0, _ changes: [String: String?] = [:]) -> String {
        var members: [(String, String)] = []
        for field in ContractField.allCases {
            let value = field.isLabel ? sample[index].labels.value(of: field) : sample[index].record.value(of: field)
            var writer = JSONWriter()
            writer.value(value)
            members.append((field.name, writer.text))
        }
        for (key, value) in changes {
            members.removeAll { $0.0 == key }
            if let value { members.append((key, value)) }
        }
        return "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func read(_ text: String, labels: LabelPolicy = .ignore) throws -> ReturnBatch {
        try ReturnJSONReader.read(Array(text.utf8), labels: labels)
    }

    @Test("null and absent keys are missing; required ones are reported")
    func missing() throws {
        let batch = try Self.read(Self.object(0, ["received_date": "null", "customer_comment": nil, "sku": "null"]))
        #expect(batch.errors.map(\.kind) == [.missingValue])
        #expect(batch.errors.first?.field == "sku")
        #expect(batch.errors.first?.position == .single)
        let ok = try Self.read(Self.object(0, ["received_date": "null", "customer_comment": nil]))
        #expect(ok.records.first?.receivedDate == nil && ok.records.first?.customerComment == nil)
    }

    @Test("in a batch the bad records are reported by index and the good ones go on")
    func batch() throws {
        let text =
            "{\"returns\": ["
            + [
                Self.object(0), "42", Self.object(1, ["unit_price": "NaN"]), Self.object(1, ["quantity": "[1, 2]"]),
                Self.object(1, ["is_gift": "\"yes\"", "unit_price": "\"19.5\""]),
            ].joined(separator: ",") + "]}"
        let batch = try Self.read(text)
        #expect(batch.returns.map(\.position) == [.index(0), .index(4)])
        #expect(batch.records[1].unitPrice == 19.5 && batch.records[1].isGift)
        #expect(batch.errors.map(\.kind) == [.notAnObject(found: "a number"), .notANumber, .wrongJSONType(found: "an array")])
        #expect(batch.errors.map(\.position) == [.index(1), .index(2), .index(3)])
        #expect(batch.errors[2].field == "quantity")
        #expect(batch.errors[1].returnID == Self.sample[1].record.returnID)
    }

    @Test("unknown keys are ignored and reported once")
    func unknownKeys() throws {
        let text = "[" + Self.object(0, ["note": "\"x\"", "score": "1"]) + "," + Self.object(1, ["note": "\"y\""]) + "]"
        let batch = try Self.read(text)
        #expect(batch.errors.isEmpty && batch.records.count == 2)
        guard case .unknownKeys(let keys) = try #require(batch.warnings.first) else { return }
        #expect(batch.warnings.count == 1 && Set(keys) == ["note", "score"] && keys.count == 2)
    }

    @Test("JSON numbers obey the same number rules as CSV")
    func numberRules() throws {
        #expect(try Self.read(Self.object(0, ["unit_price": "1e400"])).errors.map(\.kind) == [.numberOutOfRange])
        #expect(try Self.read(Self.object(0, ["unit_price": "-Infinity"])).errors.map(\.kind) == [.infinite])
        #expect(try Self.read(Self.object(0, ["quantity": "2.5"])).errors.map(\.kind) == [.notAnInteger])
        #expect(try Self.read(Self.object(0, ["quantity": "2.0"])).records.first?.quantity == 2)
    }

    @Test("escapes and Unicode in strings")
    func strings() throws {
        let batch = try Self.read(Self.object(0, ["customer_comment": #""tab\tquote\" \u00e9 \ud83d\ude00""#]))
        #expect(batch.records.first?.customerComment == "tab\tquote\" é 😀")
    }

    @Test(
        "malformed documents are input errors with an offset",
        arguments: ["", "{", "{\"a\" 1}", "[1,]", "{\"returns\": [}", "\"text\"", "nul", "[1] 2", "{\"a\": \"\u{01}\"}"]
    )
    func malformed(text: String) {
        #expect(throws: ReturnInputError.self) { try Self.read(text) }
    }

    @Test("a top-level scalar is the wrong shape")
    func wrongShape() {
        #expect(throws: ReturnInputError.unexpectedJSONShape("a string")) { try Self.read("\"text\"") }
    }

    @Test("keys in any order read the same record; a repeated key's last value wins")
    func keyOrder() throws {
        let inOrder = try Self.read(Self.object(0))
        let members = Self.object(0).dropFirst().dropLast().components(separatedBy: ", \"")
        let reversed = "{\"" + members.reversed().map { $0.hasPrefix("\"") ? String($0.dropFirst()) : $0 }.joined(separator: ", \"") + "}"
        #expect(try Self.read(reversed).records == inOrder.records)
        let repeated = try Self.read(Self.object(0).dropLast() + ", \"sku\": \"LAST\"}")
        #expect(repeated.records.first?.sku == "LAST")
    }

    /// Strings of every length up to three words with one byte of interest at every position: the reader and the
    /// writer look at eight bytes at a time, so each position of a word and each word boundary are covered.
    static func probes() -> [[UInt8]] {
        var probes: [[UInt8]] = []
        for length in 1...24 {
            for position in 0..<length {
                for special: [UInt8] in [[0x22], [0x5C], [0x01], [0x1F], [0x0A], [0x20], [0x7F], Array("é".utf8), Array("😀".utf8)] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes.replaceSubrange(position...position, with: special)
                    probes.append(bytes)
                }
            }
        }
        return probes
    }

    @Test("the writer escapes quotes, backslashes and control characters wherever they fall, and Foundation reads its strings back")
    func writerEscapes() throws {
        for probe in Self.probes() {
            let text = String(decoding: probe, as: UTF8.self)
            var writer = JSONWriter()
            writer.raw("[")
            writer.string(text)
            writer.raw("]")
            #expect(!writer.bytes.contains { $0 < 0x20 }, "a raw control character in \(writer.text)")
            #expect(try JSONDecoder().decode([String].self, from: Data(writer.bytes)) == [text])
        }
    }

    @Test("the reader takes back what the writer wrote, and refuses raw control characters and bad UTF-8 anywhere")
    func readerStrings() throws {
        for probe in Self.probes() {
            let text = String(decoding: probe, as: UTF8.self)
            var writer = JSONWriter()
            writer.string(text)
            let document = try ReturnJSONDocument(Array(Self.object(0, ["customer_comment": writer.text]).utf8))
            #expect(document.read(labels: .ignore).records.first?.customerComment == text)
            // The same bytes unescaped: plain text reads as it is, a raw control character is refused, and so is a
            // UTF-8 lead byte cut from its continuation at the same place.
            let raw = Array("{\"customer_comment\": \"".utf8) + probe + Array("\"}".utf8)
            if probe.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                let errors = try ReturnJSONDocument(raw).read(labels: .ignore).errors  // the required fields are missing
                #expect(!errors.isEmpty && !errors.contains { $0.field == "customer_comment" })
            }
            if probe.contains(where: { $0 < 0x20 }) {
                #expect(throws: ReturnInputError.self) { _ = try ReturnJSONDocument(raw) }
            }
            if let lead = probe.firstIndex(where: { $0 >= 0x80 }) {
                let cut = Array("{\"customer_comment\": \"".utf8) + probe[..<lead] + [0xC3] + Array("\"}".utf8)
                #expect(throws: ReturnInputError.self) { _ = try ReturnJSONDocument(cut) }
            }
        }
    }

    @Test("a copy of a writer is its own: writing to one leaves the other as it was, past the first capacity too")
    func writerCopies() {
        var first = JSONWriter(reservingCapacity: 4)
        first.raw("[1")
        var second = first
        second.raw(",2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39]")
        first.raw("]")
        #expect(first.text == "[1]")
        #expect(second.text.hasPrefix("[1,2,3") && second.text.hasSuffix("39]") && second.count == second.bytes.count)
        second.removeAll()
        #expect(second.text.isEmpty && first.text == "[1]")
    }
}
