internal import Foundation
package import Logging

/// The log handler of `recoup` and `recoup-bench`: one line per event on standard error, in swift-log's
/// `StreamLogHandler` format (`<time> <level> <label>: <key=value …> [<source>] <message>`).
///
/// Unlike `StreamLogHandler`, it renders the metadata when a line is written, not each time metadata is set: every
/// request sets some (Hummingbird its request id, ``Authorize`` the key's prefix) and almost none is logged, so
/// rendering it eagerly cost every request a sort and a string join.
package struct LineLogHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String

    package init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        FileHandle.standardError.write(Data(line(event, at: Self.timestamp()).utf8))
    }

    /// The line written for `event`: this handler's metadata, the provider's and the event's (later ones win), and the
    /// error's message and type, as `key=value` pairs sorted by key.
    func line(_ event: LogEvent, at time: String) -> String {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, provided in provided } }
        if let explicit = event.metadata { all.merge(explicit) { _, explicit in explicit } }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = "\(time) \(event.level)\(label.isEmpty ? "" : " ")\(label):"
        for (key, value) in all.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += " [\(event.source)] \(event.message)\n"
        return line
    }

    /// Local time to the second, with its offset (`2026-12-04T14:05:00+0000`).
    private static func timestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
