internal import ArgumentParser
internal import Foundation
internal import RecoupCore
internal import RecoupTraining

/// Reading and writing the commands' files: `ByteFile` (plain, `-` for standard input, `.gz` through `gzip -dc`) with
/// its error turned into a one-line command error.
enum InputFiles {
    static func read(_ path: String) throws -> [UInt8] {
        do {
            return try ByteFile.read(path)
        } catch {
            throw CommandError(error.description)
        }
    }

    /// Writes a file atomically (temporary file, then rename).
    static func write(_ bytes: [UInt8], to path: String) throws {
        if path == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// A failure a command reports in one line (exit code 1), without a stack of wrappers.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Where progress goes: stderr, as bars with an ETA on a terminal, as plain lines otherwise, nothing with --quiet.
final class ProgressReporter: @unchecked Sendable {
    enum Style { case bars, lines, quiet }
    let style: Style
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var started: [String: Date] = [:]
    private var lastLinePercent: [String: Int] = [:]

    init(quiet: Bool) {
        style = quiet ? .quiet : (isatty(2) != 0 ? .bars : .lines)
    }

    func stage(_ name: String) {
        guard style != .quiet else { return }
        lock.withLock { started[name] = Date() }
        write(style == .bars ? "\r\u{1B}[2K▶ \(name)…" : "\(name): started\n")
    }

    func finished(_ name: String, seconds: Double) {
        guard style != .quiet else { return }
        write(
            style == .bars
                ? "\r\u{1B}[2K✔ \(name) (\(String(format: "%.1f", seconds)) s)\n" : "\(name): done in \(String(format: "%.1f", seconds)) s\n"
        )
    }

    /// One step of a task with a known maximum; `detail` follows the count, and `secondsLeft` replaces the estimate
    /// from the pace so far.
    func step(_ task: String, _ done: Int, of total: Int, detail: String = "", secondsLeft: Double? = nil) {
        guard style != .quiet, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        if started[task] == nil || done <= 1 { started[task] = now }
        let percent = min(100, done * 100 / total)
        switch style {
        case .bars:
            guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = now
            let elapsed = now.timeIntervalSince(started[task] ?? now)
            let eta = secondsLeft ?? (done > 0 ? elapsed / Double(done) * Double(total - done) : 0)
            let width = 30
            let filled = width * min(done, total) / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[2K  \(task) \(bar) \(done)/\(total)\(detail)  ETA \(Int(eta.rounded())) s".utf8))
        case .lines:
            let bucket = percent / 25
            guard lastLinePercent[task] != bucket else { return }
            lastLinePercent[task] = bucket
            FileHandle.standardError.write(Data("  \(task): \(done)/\(total) (\(percent)%)\(detail)\n".utf8))
        case .quiet:
            break
        }
    }

    /// Forwards a training event.
    func handle(_ event: TrainingEvent) {
        switch event {
        case .stage(let name): stage(name)
        case .finished(let name, let seconds): finished(name, seconds: seconds)
        case .iteration(let head, let learner, let i, let n): step("\(head) \(learner)", i, of: n)
        case .search(let head, let trial, let n, let metric, let best, let left):
            step("\(head) tree search", trial, of: n, detail: " fits, best \(metric) \(String(format: "%.4f", best))", secondsLeft: left)
        }
    }

    func note(_ text: String) {
        guard style != .quiet else { return }
        write((style == .bars ? "\r\u{1B}[2K" : "") + text + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
