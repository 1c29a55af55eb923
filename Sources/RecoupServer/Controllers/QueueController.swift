internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupScoring
internal import RecoupStore

/// The inspection floor: lane overview, claims with leases, inspection outcomes.
struct QueueController {
    let dependencies: ServerDependencies

    var database: ReturnsDatabase { dependencies.database }
    var limits: ServerConfiguration.Limits { dependencies.configuration.limits }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.group().add(middleware: RequireRole(.warehouse, .analyst)).get("lanes", use: lanes)
        let floor = group.group().add(middleware: RequireRole(.warehouse))
        floor.post("lanes/:lane/claims", use: claim)
        floor.post("claims/:token/extend", use: extend)
        floor.post("claims/:token/release", use: release)
        floor.post("returns/:id/inspection", use: inspect)
    }

    @Sendable func lanes(request: Request, context: AppRequestContext) async throws -> LanesResponse {
        let warehouse = request.uri.queryParameters["warehouse"].map(String.init)
        let stats = try await database.laneStats(warehouseID: warehouse, now: dependencies.clock())
        let policy = dependencies.models.current.policy
        let byLane = Dictionary(stats.map { ($0.lane, $0) }, uniquingKeysWith: { a, _ in a })
        var lanes = policy.lanes.map { lane in
            let s = byLane[lane.name]
            return LanesResponse.Lane(
                lane: lane.name, serviceLevelHours: lane.serviceLevelHours, depth: s?.depth ?? 0, leased: s?.leased ?? 0,
                oldestAgeHours: s?.oldestAgeHours ?? 0, valueAtStake: s?.valueAtStake ?? 0,
                pastServiceLevel: s?.pastServiceLevel ?? 0)
        }
        // Lanes of an earlier policy that still hold items.
        for s in stats where policy.lane(named: s.lane) == nil {
            lanes.append(.init(
                lane: s.lane, serviceLevelHours: 0, depth: s.depth, leased: s.leased, oldestAgeHours: s.oldestAgeHours,
                valueAtStake: s.valueAtStake, pastServiceLevel: s.pastServiceLevel))
        }
        return LanesResponse(warehouse: warehouse, lanes: lanes)
    }

    @Sendable func claim(request: Request, context: AppRequestContext) async throws -> ClaimResponse {
        let lane = context.parameters.path("lane")
        guard dependencies.models.current.policy.lane(named: lane) != nil else {
            throw APIError(
                .notFound, code: "unknown_lane",
                message: "no lane \"\(lane)\"; lanes: \(dependencies.models.current.policy.lanes.map(\.name).joined(separator: ", "))",
                field: "lane")
        }
        let body = try await request.decodeJSON(ClaimRequest.self, limit: limits.maxSmallBodyBytes)
        guard !body.warehouseID.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.badRequest("warehouse_id must not be empty", field: "warehouse_id")
        }
        guard !body.stationID.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.badRequest("station_id must not be empty", field: "station_id")
        }
        guard (1...limits.maxClaimCount).contains(body.count) else {
            throw APIError.badRequest("count must be in 1...\(limits.maxClaimCount), got \(body.count)", field: "count")
        }
        let lease = try leaseSeconds(body.leaseSeconds ?? limits.defaultLeaseSeconds)
        let claim = try await storeCall {
            try await database.claim(
                lane: lane, warehouseID: body.warehouseID, stationID: body.stationID, count: body.count, leaseSeconds: lease,
                now: dependencies.clock())
        }
        return ClaimResponse(
            token: claim.token, lane: claim.lane, warehouseId: claim.warehouseID, stationId: claim.stationID,
            expiresAt: claim.expiresAt, items: claim.items)
    }

    @Sendable func extend(request: Request, context: AppRequestContext) async throws -> ExtendResponse {
        let token = context.parameters.path("token")
        let body = try await request.decodeJSON(ExtendRequest.self, limit: limits.maxSmallBodyBytes)
        let lease = try leaseSeconds(body.leaseSeconds)
        let result = try await storeCall { try await database.extendClaim(token: token, leaseSeconds: lease, now: dependencies.clock()) }
        return ExtendResponse(token: token, expiresAt: result.expiresAt, returnIds: result.returnIDs)
    }

    @Sendable func release(request: Request, context: AppRequestContext) async throws -> ReleaseResponse {
        let token = context.parameters.path("token")
        let released = try await storeCall { try await database.releaseClaim(token: token, now: dependencies.clock()) }
        return ReleaseResponse(token: token, released: released)
    }

    @Sendable func inspect(request: Request, context: AppRequestContext) async throws -> InspectionResponse {
        let id = context.parameters.path("id")
        let body = try await request.decodeJSON(InspectionRequest.self, limit: limits.maxSmallBodyBytes)
        guard let disposition = Disposition(rawValue: ReturnRecord.normalized(body.disposition)) else {
            throw APIError.badRequest(
                "disposition must be one of \(Disposition.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(body.disposition)\"",
                field: "disposition", record: id)
        }
        guard body.recoveryValue.isFinite, body.recoveryValue >= 0 else {
            throw APIError.badRequest("recovery_value must be a finite number >= 0, got \(body.recoveryValue)", field: "recovery_value", record: id)
        }
        if let grade = body.grade, !["A", "B", "C", "D"].contains(grade.uppercased()) {
            throw APIError.badRequest("grade must be one of A, B, C, D, got \"\(grade)\"", field: "grade", record: id)
        }
        let outcome = InspectionOutcome(
            grade: body.grade?.uppercased(), disposition: disposition, recoveryValue: body.recoveryValue,
            fraudConfirmed: body.fraudConfirmed, notes: body.notes)
        try await storeCall {
            try await database.completeInspection(returnID: id, token: body.claimToken, outcome: outcome, now: dependencies.clock())
        }
        return InspectionResponse(returnId: id, state: "completed", inspection: outcome)
    }

    private func leaseSeconds(_ value: Double) throws -> Double {
        guard value.isFinite, (limits.minLeaseSeconds...limits.maxLeaseSeconds).contains(value) else {
            throw APIError.badRequest(
                "lease_seconds must be in \(Int(limits.minLeaseSeconds))...\(Int(limits.maxLeaseSeconds)), got \(value)",
                field: "lease_seconds")
        }
        return value
    }
}

/// Runs a store call, answering its typed errors with their HTTP form.
func storeCall<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as StoreError {
        throw APIError(error)
    }
}
