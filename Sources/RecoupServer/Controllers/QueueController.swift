internal import Foundation
internal import Hummingbird
internal import RecoupCore
internal import RecoupService
internal import RecoupStore

/// The inspection floor: lane overview, claims with leases, inspection outcomes.
struct QueueController {
    let dependencies: ServerDependencies

    var service: ReturnsService { dependencies.service }
    var smallBody: Int { dependencies.configuration.limits.maxSmallBodyBytes }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.group().add(middleware: Authorize(dependencies.service.keys, .warehouse, .analyst)).get("lanes", use: lanes)
        let floor = group.group().add(middleware: Authorize(dependencies.service.keys, .warehouse))
        floor.post("lanes/:lane/claims", use: claim)
        floor.post("claims/:token/extend", use: extend)
        floor.post("claims/:token/release", use: release)
        floor.post("returns/:id/inspection", use: inspect)
    }

    /// The query parameters of `GET /v1/lanes`.
    static let lanesQuery: [QueryParameter] = [.warehouse]

    @Sendable func lanes(request: Request, context: AppRequestContext) async throws -> LanesResponse {
        let warehouse = request.query(.warehouse).map(String.init)
        let lanes = try await serviceCall { try await service.lanes(warehouseID: warehouse) }
        return LanesResponse(warehouse: warehouse, lanes: lanes.map(LanesResponse.Lane.init))
    }

    @Sendable func claim(request: Request, context: AppRequestContext) async throws -> ClaimResponse {
        let lane = try serviceCheck { try service.lane(named: context.parameters.path("lane")) }
        let body = try await request.decodeJSON(ClaimBody.self, limit: smallBody)
        let claim = try await serviceCall {
            try await service.claim(
                lane: lane,
                warehouseID: body.warehouseID,
                stationID: body.stationID,
                count: body.count,
                leaseSeconds: body.leaseSeconds
            )
        }
        return ClaimResponse(claim)
    }

    @Sendable func extend(request: Request, context: AppRequestContext) async throws -> ExtendResponse {
        let token = context.parameters.path("token")
        let body = try await request.decodeJSON(ExtendRequest.self, limit: smallBody)
        let result = try await serviceCall { try await service.extend(token: token, leaseSeconds: body.leaseSeconds) }
        return ExtendResponse(token: token, expiresAt: result.expiresAt, returnIds: result.returnIDs)
    }

    @Sendable func release(request: Request, context: AppRequestContext) async throws -> ReleaseResponse {
        let token = context.parameters.path("token")
        return ReleaseResponse(token: token, released: try await serviceCall { try await service.release(token: token) })
    }

    @Sendable func inspect(request: Request, context: AppRequestContext) async throws -> InspectionResponse {
        let id = context.parameters.path("id")
        let body = try await request.decodeJSON(InspectionBody.self, limit: smallBody)
        let report = InspectionReport(
            claimToken: body.claimToken,
            grade: body.grade,
            disposition: body.disposition,
            recoveryValue: body.recoveryValue,
            fraudConfirmed: body.fraudConfirmed,
            notes: body.notes
        )
        let outcome = try await serviceCall { try await service.complete(returnID: id, report: report) }
        return InspectionResponse(returnId: id, state: .completed, inspection: outcome)
    }
}
