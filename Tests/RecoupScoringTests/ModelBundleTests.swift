import Foundation
import RecoupCore
import RecoupFeatures
import RecoupTestSupport
import RecoupTraining
import Testing

@testable import RecoupScoring

@Suite("Model bundle files", .serialized)
struct ModelBundleTests {
    let bundle = SmallModel.shared.bundle

    func folder() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-bundles-\(UUID().uuidString)")
        return try bundle.write(into: directory)
    }

    @Test("write then load gives the same bundle; format_version comes first; ACTIVE points at it")
    func roundTrip() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let text = try String(contentsOf: folder.appendingPathComponent("bundle.json"), encoding: .utf8)
        #expect(text.hasPrefix("{\"format_version\":1,"))
        let loaded = try ModelBundle.load(from: folder)
        #expect(loaded == bundle)
        let models = folder.deletingLastPathComponent()
        try ModelBundle.setActive(bundle.version, in: models)
        #expect(try ModelBundle.loadActive(from: models).version == bundle.version)
        #expect(ModelBundle.availableVersions(in: models) == [bundle.version])
    }

    @Test("a tampered bundle is refused: its checksum no longer matches")
    func tampered() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let file = folder.appendingPathComponent("bundle.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"weight\"", with: "\"weigth\"")
        text = text.replacingOccurrences(of: "0.", with: "1.", options: [], range: text.range(of: "0."))
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect {
            _ = try ModelBundle.load(from: folder)
        } throws: { error in
            guard case ModelBundleError.checksumMismatch = error else { return false }
            return "\(error)".contains("changed or truncated")
        }
    }

    @Test("a truncated bundle is refused")
    func truncated() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let file = folder.appendingPathComponent("bundle.json")
        let data = try Data(contentsOf: file)
        try data.prefix(data.count / 2).write(to: file)
        #expect(throws: ModelBundleError.self) { try ModelBundle.load(from: folder) }
        // Even with a matching checksum, a truncated file cannot be decoded.
        let half = data.prefix(data.count / 2)
        try half.write(to: file)
        try Data("\(ModelBundle.sha256(half))  bundle.json\n".utf8).write(to: folder.appendingPathComponent("bundle.sha256"))
        #expect {
            _ = try ModelBundle.load(from: folder)
        } throws: { error in
            if case ModelBundleError.unreadable = error { return true }
            return false
        }
    }

    @Test("an unknown format version is refused before anything else is read")
    func unknownVersion() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let file = folder.appendingPathComponent("bundle.json")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "{\"format_version\":1,", with: "{\"format_version\":7,")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try Data("\(ModelBundle.sha256(Data(text.utf8)))  bundle.json\n".utf8).write(to: folder.appendingPathComponent("bundle.sha256"))
        #expect(throws: ModelBundleError.unsupportedFormatVersion(7)) { try ModelBundle.load(from: folder) }
    }

    @Test("a feature spec that is not the one trained with is refused")
    func specMismatch() throws {
        var changed = bundle
        changed.featureSpec.columns[0].mean += 1
        #expect(throws: ModelBundleError.featureSpecMismatch(expected: bundle.featureSpecFingerprint, found: changed.featureSpec.fingerprint)) {
            try changed.validate()
        }
    }

    @Test("missing files and a missing ACTIVE are named")
    func missingFiles() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("recoup-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: ModelBundleError.missingFile(empty.appendingPathComponent("bundle.json").path)) { try ModelBundle.load(from: empty) }
        #expect(throws: ModelBundleError.missingFile(empty.appendingPathComponent("ACTIVE").path)) { try ModelBundle.loadActive(from: empty) }
    }
}
