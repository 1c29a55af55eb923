internal import Crypto
package import Foundation
internal import RecoupCore
internal import RecoupFeatures
internal import RecoupLearning

/// Why a bundle was refused, naming the file and what is wrong.
package enum ModelBundleError: Error, Equatable, CustomStringConvertible {
    case missingFile(String)
    case checksumMismatch(file: String, expected: String, found: String)
    case malformedChecksum(String)
    case unsupportedFormatVersion(Int)
    case unreadable(file: String, reason: String)
    case featureSpecMismatch(expected: String, found: String)
    case headMismatch(head: String, reason: String)
    case noActiveVersion(String)
    case writeFailed(path: String, reason: String)

    package var description: String {
        switch self {
        case .missingFile(let path): "model bundle file \(path) is missing"
        case .checksumMismatch(let file, let expected, let found):
            "model bundle \(file) does not match its checksum (bundle.sha256 says \(expected), the file hashes to \(found)): "
                + "it was changed or truncated"
        case .malformedChecksum(let path): "checksum file \(path) is not '<64 hex digits>  bundle.json'"
        case .unsupportedFormatVersion(let v):
            "model bundle format_version \(v) is not supported (this Recoup reads \(ModelBundle.currentFormatVersion))"
        case .unreadable(let file, let reason): "model bundle \(file) cannot be decoded: \(reason)"
        case .featureSpecMismatch(let expected, let found):
            "the bundle's feature spec hashes to \(found) but was trained with \(expected)"
        case .headMismatch(let head, let reason): "the \(head) head does not fit the feature spec: \(reason)"
        case .noActiveVersion(let path): "\(path) does not name a model version"
        case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

extension ModelBundle {
    static let bundleFile = "bundle.json"
    static let checksumFile = "bundle.sha256"

    /// The bundle's JSON, `format_version` first (so a reader can refuse an unknown format before anything else).
    package func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = try encoder.encode(self)
        return Data("{\"format_version\":\(formatVersion),".utf8) + body.dropFirst()
    }

    /// SHA-256 of some bytes, as lower-case hex.
    package static func sha256(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Loads and checks the bundle in a folder: checksum, format version, feature-spec fingerprint, head shapes.
    /// - Throws: ``ModelBundleError`` saying exactly what is wrong.
    package static func load(from folder: URL) throws(ModelBundleError) -> ModelBundle {
        let bundleURL = folder.appendingPathComponent(bundleFile)
        let checksumURL = folder.appendingPathComponent(checksumFile)
        guard let data = try? Data(contentsOf: bundleURL) else { throw .missingFile(bundleURL.path) }
        guard let checksumText = try? String(contentsOf: checksumURL, encoding: .utf8) else { throw .missingFile(checksumURL.path) }
        let expected = String(checksumText.prefix { !$0.isWhitespace })
        guard expected.count == 64, expected.allSatisfy(\.isHexDigit) else { throw .malformedChecksum(checksumURL.path) }
        let found = sha256(data)
        guard found == expected.lowercased() else { throw .checksumMismatch(file: bundleURL.path, expected: expected, found: found) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let bundle: ModelBundle
        do {
            bundle = try decoder.decode(ModelBundle.self, from: data)
        } catch let error as ModelBundleError {
            throw error
        } catch {
            throw .unreadable(file: bundleURL.path, reason: "\(error)")
        }
        try bundle.validate()
        return bundle
    }

    /// Checks that the feature spec is the one trained with and that every head fits its width.
    package func validate() throws(ModelBundleError) {
        let fingerprint = featureSpec.fingerprint
        guard fingerprint == featureSpecFingerprint else {
            throw .featureSpecMismatch(expected: featureSpecFingerprint, found: fingerprint)
        }
        func check(_ head: String, _ learner: HeadLearner, classes: Int) throws(ModelBundleError) {
            let widths = learner.widths
            if let d = widths.dense, d != featureSpec.denseWidth {
                throw .headMismatch(head: head, reason: "logistic model has \(d) inputs, the spec \(featureSpec.denseWidth) dense columns")
            }
            if let t = widths.trees, t != featureSpec.treeWidth {
                throw .headMismatch(head: head, reason: "trees have \(t) inputs, the spec \(featureSpec.treeWidth) tree columns")
            }
            guard learner.classes == classes else {
                throw .headMismatch(head: head, reason: "predicts \(learner.classes) classes, expected \(classes)")
            }
        }
        for (stage, heads) in [("", receiptStage), ("request-stage ", requestStage)] {
            guard let heads else { continue }
            try check("\(stage)disposition", heads.disposition.learner, classes: 8)
            try check("\(stage)fraud", heads.fraud.learner, classes: 2)
            let recovery = heads.recovery.model
            guard recovery.features == featureSpec.treeWidth, recovery.outputs == 1 else {
                throw .headMismatch(
                    head: "\(stage)recovery",
                    reason: "trees have \(recovery.features) inputs and \(recovery.outputs) outputs; expected \(featureSpec.treeWidth) and 1"
                )
            }
        }
    }

    /// Writes the bundle into `directory/<version>` atomically: into a temporary folder first, each file fsync'ed,
    /// then renamed into place (a reader never sees a half-written bundle).
    /// - Returns: the bundle's folder.
    @discardableResult
    package func write(into directory: URL) throws(ModelBundleError) -> URL {
        let fm = FileManager.default
        let final = directory.appendingPathComponent(version)
        let temporary = directory.appendingPathComponent(".tmp-\(version)-\(UUID().uuidString.prefix(8))")
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
            let data = try jsonData()
            try ByteFile.writeDurably(data, to: temporary.appendingPathComponent(Self.bundleFile).path)
            try ByteFile.writeDurably(
                Data("\(Self.sha256(data))  \(Self.bundleFile)\n".utf8),
                to: temporary.appendingPathComponent(Self.checksumFile).path
            )
            if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
            try fm.moveItem(at: temporary, to: final)
            ByteFile.sync(directory.path)
        } catch {
            try? fm.removeItem(at: temporary)
            throw .writeFailed(path: final.path, reason: "\(error)")
        }
        return final
    }

    /// The version `models/ACTIVE` names.
    package static func activeVersion(in directory: URL) throws(ModelBundleError) -> String {
        let url = directory.appendingPathComponent("ACTIVE")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw .missingFile(url.path) }
        let version = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard isVersionName(version) else { throw .noActiveVersion(url.path) }
        return version
    }

    /// Whether `name` can name a bundle folder in the models directory: not empty, no `/` or NUL, not starting with
    /// `.` (so never a path outside it). `openapi.yaml` states the same rule as the pattern of a reload's `version`.
    package static func isVersionName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\0")
    }

    /// Loads the bundle `models/ACTIVE` names.
    package static func loadActive(from directory: URL) throws(ModelBundleError) -> ModelBundle {
        try load(from: directory.appendingPathComponent(try activeVersion(in: directory)))
    }

    /// Points `models/ACTIVE` at a version, atomically (write a temporary file, fsync, rename).
    package static func setActive(_ version: String, in directory: URL) throws(ModelBundleError) {
        let url = directory.appendingPathComponent("ACTIVE")
        let temporary = directory.appendingPathComponent(".ACTIVE.tmp")
        do {
            try ByteFile.writeDurably(Data((version + "\n").utf8), to: temporary.path)
            try ByteFile.rename(temporary.path, to: url.path)
            ByteFile.sync(directory.path)
        } catch {
            throw .writeFailed(path: url.path, reason: "\(error)")
        }
    }

    /// Versions present in a models folder (folders holding a bundle.json), sorted.
    package static func availableVersions(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).appendingPathComponent(bundleFile).path)
        }.sorted()
    }
}
