internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupScoring
internal import RecoupService
internal import RecoupStore

/// Decisions before the item ships: `POST /v1/authorizations` (score the request at the request stage, decide, store)
/// and `GET /v1/authorizations/{return_id}` (the decision, and the item's receipt-stage assessment once it arrived).
struct AuthorizationsController {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }

    func register(on group: RouterGroup<AppRequestContext>) {
        let routes = group.group().add(middleware: Authorize(dependencies.service.keys, .warehouse, .risk))
        routes.post("authorizations", use: authorize)
        routes.get("authorizations/:id", use: detail)
    }

    @Sendable func authorize(request: Request, context: AppRequestContext) async throws -> Response {
        _ = try serviceCheck { try service.scorer() }  // 503 before reading a body there is no model to decide with
        let body = try await request.collectBody(limit: dependencies.configuration.limits.maxBodyBytes)
        let (single, slots) = try await serviceCall { try await service.authorize(body, actor: context.identity?.actor) }
        var writer = JSONWriter(reservingCapacity: slots.count * 2600 + 64)
        if single, case .outcome(let outcome) = slots[0], let stored = outcome.stored {
            try Self.write(stored, status: outcome.status, into: &writer)
            return .json(writer.bytes)
        }
        var counts: [String: Int] = [:]
        for slot in slots { counts[slot.status, default: 0] += 1 }
        writer.raw("{\"decided\":")
        writer.integer(counts["decided"] ?? 0)
        writer.raw(",\"duplicates\":")
        writer.integer(counts["duplicate"] ?? 0)
        writer.raw(",\"conflicts\":")
        writer.integer(counts["conflict"] ?? 0)
        writer.raw(",\"invalid\":")
        writer.integer(counts["invalid"] ?? 0)
        writer.raw(",\"results\":[")
        for (i, slot) in slots.enumerated() {
            if i > 0 { writer.raw(",") }
            switch slot {
            case .failed(let errors):
                ScoredOutput.writeFailure(errors, status: "invalid", into: &writer)
            case .outcome(.conflict(let id)):
                writer.raw("{\"return_id\":")
                writer.string(id)
                writer.raw(",\"status\":\"conflict\",\"error\":")
                ReturnsService.authorizationConflict(id).detail.write(into: &writer)
                writer.raw("}")
            case .outcome(let outcome):
                try Self.write(outcome.stored!, status: outcome.status, into: &writer)
            }
        }
        writer.raw("]}")
        return .json(writer.bytes)
    }

    @Sendable func detail(request: Request, context: AppRequestContext) async throws -> Response {
        let stored = try await serviceCall { try await service.authorization(returnID: context.parameters.path("id")) }
        var writer = JSONWriter(reservingCapacity: 4096)
        try Self.write(stored, status: nil, into: &writer)
        return .json(writer.bytes)
    }

    /// `{"return_id", "status"?, "decided_at", "decided_by", "authorization", "receipt"}`: the stored decision as it was
    /// answered, and the item's receipt-stage assessment once it has arrived (`null` before).
    static func write(_ stored: StoredAuthorization, status: String?, into writer: inout JSONWriter) throws {
        let encoder = AppRequestContext.encoder
        writer.raw("{\"return_id\":")
        writer.string(stored.returnID)
        if let status {
            writer.raw(",\"status\":")
            writer.string(status)
        }
        writer.raw(",\"decided_at\":")
        writer.raw(try encoder.encode(stored.decidedAt))
        writer.raw(",\"decided_by\":")
        writer.string(stored.actor)
        writer.raw(",\"authorization\":")
        writer.raw(stored.payload)
        writer.raw(",\"receipt\":")
        if let receipt = stored.receipt {
            writer.raw("{\"received_at\":")
            writer.raw(try encoder.encode(receipt.receivedAt))
            writer.raw(",\"queue_state\":")
            writer.string(receipt.queueState.rawValue)
            writer.raw(",\"assessment\":")
            writer.raw(receipt.assessment)
            writer.raw("}")
        } else {
            writer.raw("null")
        }
        writer.raw("}")
    }
}

extension AuthorizationSlot {
    /// `decided`, `duplicate`, `conflict` or `invalid`.
    fileprivate var status: String {
        switch self {
        case .failed: "invalid"
        case .outcome(.decided): "decided"
        case .outcome(.duplicate): "duplicate"
        case .outcome(.conflict): "conflict"
        }
    }
}

extension AuthorizationOutcome {
    /// `decided` or `duplicate` (`conflict` has no stored decision to show).
    fileprivate var status: String {
        if case .duplicate = self { "duplicate" } else { "decided" }
    }

    /// The stored decision, `nil` for a conflict.
    fileprivate var stored: StoredAuthorization? {
        switch self {
        case .decided(let stored), .duplicate(let stored): stored
        case .conflict: nil
        }
    }
}
