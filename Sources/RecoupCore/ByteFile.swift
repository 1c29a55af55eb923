package import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Whole-file reads into `[UInt8]` with POSIX calls: one allocation of the file's size, no intermediate `Data`.
package enum ByteFile {
    /// The bytes of the file at `path`, of standard input for `-`, or decompressed through `gzip -dc` for `*.gz`.
    package static func read(_ path: String) throws(ReturnInputError) -> [UInt8] {
        if path.hasSuffix(".gz") { return try gunzip(path) }
        let fd = path == "-" ? 0 : open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadableFile(path: path, reason: errorText()) }
        defer { if fd != 0 { close(fd) } }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadableFile(path: path, reason: errorText()) }
        let expected = max(Int(info.st_size), 0)
        var failure: String?
        var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            while initialized < expected {
                let n = readSome(fd, buffer.baseAddress! + initialized, expected - initialized)
                if n < 0 { failure = errorText() }
                if n <= 0 { break }
                initialized += n
            }
        }
        // Pipes and files that grew: read on until the end.
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while failure == nil {
            let n = block.withUnsafeMutableBufferPointer { readSome(fd, $0.baseAddress!, $0.count) }
            if n < 0 { failure = errorText() }
            if n <= 0 { break }
            bytes.append(contentsOf: block[0..<n])
        }
        if let failure { throw .unreadableFile(path: path, reason: failure) }
        return bytes
    }

    /// The decompressed bytes of a gzip file (`gzip -dc`).
    static func gunzip(_ path: String) throws(ReturnInputError) -> [UInt8] {
        guard FileManager.default.isReadableFile(atPath: path) else { throw .unreadableFile(path: path, reason: "no such readable file") }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        do {
            try gzip.run()
        } catch {
            throw .unreadableFile(path: path, reason: "cannot run gzip: \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        guard gzip.terminationStatus == 0 else {
            throw .unreadableFile(path: path, reason: "gzip -dc exited with \(gzip.terminationStatus)")
        }
        return Array(data)
    }

    private static func readSome(_ fd: Int32, _ into: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
        while true {
            let n = Glibc.read(fd, into, count)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Hints for large, fresh buffers (a feature matrix about to be written).
package enum LargeBuffer {
    /// Maps the pages of a fresh buffer in bulk (Linux `MADV_POPULATE_WRITE`) instead of one page fault per 4 KiB
    /// on first write, splitting the work across cores. A hint only: ignored where unsupported; never changes content.
    package static func populate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        let page = 4096
        let start = (Int(bitPattern: pointer) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: pointer) + byteCount) & ~(page - 1)
        guard end - start >= 1 << 20 else { return }
        let parts = 4 * Parallel.processorCount  // several per core: a busy core does not hold up the others
        let step = ((end - start) / parts + page - 1) & ~(page - 1)
        Parallel.forEach(parts) { i in
            let lo = start + i * step
            let hi = min(end, lo + step)
            if hi > lo, let address = UnsafeMutableRawPointer(bitPattern: lo) {
                _ = madvise(address, hi - lo, 23)  // MADV_POPULATE_WRITE
            }
        }
        #endif
    }
}

extension ByteFile {
    /// Writes `bytes` to `path` and fsyncs the file before returning (a write that survives a crash).
    package static func writeDurably(_ bytes: some DataProtocol, to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        sync(path)
    }

    /// fsyncs a file, or a folder after a rename in it (best effort: a path that cannot be opened is left alone).
    package static func sync(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Renames atomically (POSIX `rename`: the target is replaced in one step).
    package static func rename(_ from: String, to: String) throws {
        #if canImport(Glibc)
        let renamed = Glibc.rename(from, to) == 0
        #else
        let renamed = Darwin.rename(from, to) == 0
        #endif
        guard renamed else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: to, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
    }
}
