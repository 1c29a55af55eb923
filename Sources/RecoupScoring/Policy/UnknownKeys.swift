import Foundation

/// Strict reading of JSON policy files: the keys decoding ignored.
enum JSONKeys {
    /// The path of the first key of `data` that decoding `value` ignored: a key missing when `value` is encoded back
    /// (`priority.baseDailyDecai`, `lanes[2].ordering`). Keys are visited in sorted order, so the answer is stable.
    static func firstUnknown(in data: Data, knowing value: some Encodable) -> String? {
        guard let given = try? JSONSerialization.jsonObject(with: data),
            let known = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
        else { return nil }
        func walk(_ given: Any, _ known: Any, _ path: String) -> String? {
            if let given = given as? [String: Any], let known = known as? [String: Any] {
                for key in given.keys.sorted() {
                    let here = path.isEmpty ? key : "\(path).\(key)"
                    guard let next = known[key] else { return here }
                    if let found = walk(given[key]!, next, here) { return found }
                }
            } else if let given = given as? [Any], let known = known as? [Any] {
                for (i, pair) in zip(given, known).enumerated() {
                    if let found = walk(pair.0, pair.1, "\(path)[\(i)]") { return found }
                }
            }
            return nil
        }
        return walk(given, known, "")
    }
}
