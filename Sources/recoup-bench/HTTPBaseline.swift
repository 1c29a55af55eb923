internal import ArgumentParser
internal import Hummingbird
internal import NIOCore

/// `recoup-bench http-baseline`: the HTTP framework alone, as a ceiling for the service's load benchmark. One route,
/// `POST /v1/score`, reads the body like the service does and answers a fixed JSON body of a given size, without
/// authentication, parsing or scoring: what Hummingbird 2, SwiftNIO and the kernel's loopback cost per request on
/// this machine. `benchmarks/bench_server.py` drives it with the same wrk load as `recoup serve`.
struct HTTPBaseline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-baseline",
        abstract: "A Hummingbird server answering a fixed body: the framework's ceiling."
    )

    @Option(help: "TCP port on 127.0.0.1.") var port: Int = 8090
    @Option(help: "Bytes of the fixed JSON answer (a one-record score answer is about 1,100).") var answerBytes: Int = 1100

    func run() async throws {
        let filler = String(repeating: "x", count: max(0, answerBytes - 12))
        let answer = ByteBuffer(string: "{\"answer\":\"" + filler + "\"}")
        let router = Router()
        router.post("v1/score") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 64 << 20)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
