internal import Crypto
package import Foundation
package import RecoupStore
internal import Synchronization

/// Who is calling: the key's id, prefix and role.
package struct APIIdentity: Sendable, Equatable {
    package var keyID: Int64
    package var prefix: String
    package var role: Role

    package init(keyID: Int64, prefix: String, role: Role) {
        self.keyID = keyID
        self.prefix = prefix
        self.role = role
    }

    /// A name for the audit log.
    package var actor: String { "key:\(prefix)" }
}

/// API keys: `rk_<prefix>_<secret>`. The prefix (12 hex digits) finds the key; only a SHA-256 of the secret is
/// stored, and it is compared in constant time. A revoked key stops working at once.
///
/// Verified keys are cached for ``cacheSeconds`` so that a request does not read the database: a key revoked by
/// `recoup keys revoke` stops working within that time.
package struct APIKeys: Sendable {
    package let store: any ReturnsStore
    /// How long a looked-up key is trusted without reading the database again.
    package static let cacheSeconds: Double = 2
    private let cache = KeyCache()

    package init(store: any ReturnsStore) {
        self.store = store
    }

    /// A newly created key: the plaintext (shown once, never stored) and what the store keeps.
    package struct Created: Sendable {
        package var plaintext: String
        package var stored: StoredAPIKey
    }

    /// Creates a key with a role.
    package func create(role: Role, label: String?, now: Date) async throws -> Created {
        let prefix = randomHex(bytes: 6)
        let secret = randomHex(bytes: 24)
        let stored = try await store.insertKey(
            prefix: prefix,
            secretHash: Self.hash(secret),
            role: role,
            label: label,
            now: now
        )
        return Created(plaintext: "rk_\(prefix)_\(secret)", stored: stored)
    }

    /// On a first start with no active key: creates an admin key and returns it (to print once).
    package func bootstrapAdminIfNeeded(now: Date) async throws -> Created? {
        guard try await store.activeKeyCount() == 0 else { return nil }
        return try await create(role: .admin, label: "bootstrap admin", now: now)
    }

    /// Why a presented credential was refused.
    package enum Refusal: Error, Equatable, CustomStringConvertible {
        case missing
        case malformed
        case unknown
        case revoked

        package var description: String {
            switch self {
            case .missing: "missing Authorization: Bearer <key> header"
            case .malformed: "malformed API key: expected Authorization: Bearer rk_<prefix>_<secret>"
            case .unknown: "unknown API key"
            case .revoked: "this API key was revoked"
            }
        }
    }

    /// Checks an `Authorization` header value: `Bearer rk_<12 hex>_<48 hex>` (the scheme in any case, spaces around
    /// the parts allowed). Read byte by byte: it runs on every `/v1` request.
    package func verify(authorization: String?) async throws -> Result<APIIdentity, Refusal> {
        guard let authorization else { return .failure(.missing) }
        let token: (prefix: String, secret: ArraySlice<UInt8>)
        switch Self.parse(Array(authorization.utf8)) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let parsed): token = parsed
        }
        let stored: StoredAPIKey
        if let cached = cache.lookup(token.prefix, now: Date()) {
            stored = cached
        } else {
            guard let fetched = try await storeCall({ try await store.key(prefix: token.prefix) }) else { return .failure(.unknown) }
            cache.store(fetched, now: Date())
            stored = fetched
        }
        guard Self.constantTimeEqual(Self.hash(token.secret), stored.secretHash) else { return .failure(.unknown) }
        guard stored.revokedAt == nil else { return .failure(.revoked) }
        return .success(APIIdentity(keyID: stored.id, prefix: stored.prefix, role: stored.role))
    }

    /// The prefix and the secret of a header value, or why it is refused.
    static func parse(_ header: [UInt8]) -> Result<(prefix: String, secret: ArraySlice<UInt8>), Refusal> {
        func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
            bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) }
        }
        var value = header[...]
        while let first = value.first, isBlank(first) { value = value.dropFirst() }
        while let last = value.last, isBlank(last) { value = value.dropLast() }
        guard !value.isEmpty else { return .failure(.missing) }
        let scheme = value.prefix { !isBlank($0) }
        guard scheme.count == 6, scheme.map({ $0 | 0x20 }).elementsEqual("bearer".utf8) else { return .failure(.malformed) }
        var token = value.dropFirst(scheme.count)
        while let first = token.first, isBlank(first) { token = token.dropFirst() }
        // rk_ + 12 + _ + 48
        guard token.count == 64, token.prefix(3).elementsEqual("rk_".utf8), token[token.startIndex + 15] == UInt8(ascii: "_")
        else { return .failure(.malformed) }
        let prefix = token[(token.startIndex + 3)..<(token.startIndex + 15)]
        let secret = token.suffix(48)
        guard isHex(prefix), isHex(secret) else { return .failure(.malformed) }
        return .success((String(decoding: prefix, as: UTF8.self), secret))
    }

    static func hash(_ secret: some DataProtocol) -> String {
        hex(SHA256.hash(data: secret))
    }

    static func hash(_ secret: String) -> String {
        hash(Array(secret.utf8))
    }

    /// Lower-case hex of some bytes.
    package static func hex(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { out in
            var i = 0
            for b in bytes {
                out[i] = hexDigits[Int(b >> 4)]
                out[i + 1] = hexDigits[Int(b & 15)]
                i += 2
            }
            return i
        }
    }

    /// Lower-case hex of a digest.
    static func hex(_ digest: SHA256.Digest) -> String { digest.withUnsafeBytes { hex($0) } }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Whether two strings have the same bytes, in a time that depends on their length only.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        var (a, b) = (a, b)
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                var diff: UInt8 = 0
                for i in 0..<x.count { diff |= x[i] ^ y[i] }
                return diff == 0
            }
        }
    }

    private func randomHex(bytes: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return Self.hex((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
}

/// Keys looked up recently, by prefix.
private final class KeyCache: Sendable {
    private let entries = Mutex<[String: (key: StoredAPIKey, at: Date)]>([:])

    func lookup(_ prefix: String, now: Date) -> StoredAPIKey? {
        entries.withLock { entries in
            guard let entry = entries[prefix], now.timeIntervalSince(entry.at) < APIKeys.cacheSeconds else { return nil }
            return entry.key
        }
    }

    func store(_ key: StoredAPIKey, now: Date) {
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[key.prefix] = (key, now)
        }
    }

}
