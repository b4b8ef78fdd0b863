import Foundation
import Hummingbird
import MaestroStore

/// `GET /api/export?projectId=P` (user): the whole project as `maestro export` writes it and `maestro import` reads
/// it, streamed page by page — a project of 100,000 tasks is never held in memory whole.
///
/// Pages are separate reads: a project that changes meanwhile gives each record as it was when its page was read.
/// For one consistent moment, use `maestro export`, which reads again until the project held still.
struct ExportRoutes {
    let server: ServerContext

    func register(on routes: RouteGroups) {
        routes.user.get("/api/export") { request, _ -> Response in
            let scope = try server.scope(of: request)
            // Read before the first byte goes out: a refusal or a Redis failure still gets its status code.
            let snapshot = try await server.run(GetProject(scope: scope))
            let opening = try ProjectExport.opening(
                projectId: scope.projectId, exportedAt: Date().formatted(.iso8601), cursor: snapshot.cursor,
                project: snapshot.project)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/json",
                    .contentDisposition: "attachment; filename=\"maestro-export-\(scope.projectId).json\"",
                ],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(bytes: opening))
                    try await Self.writeAll(
                        { .sessions(scope: scope, offset: $0) }, server, &writer)
                    try await writer.write(ByteBuffer(bytes: ProjectExport.betweenLists))
                    try await Self.writeAll({ .tasks(scope: scope, offset: $0) }, server, &writer)
                    try await writer.write(ByteBuffer(bytes: ProjectExport.closing))
                    try await writer.finish(nil)
                })
        }
    }

    /// Every record of one list, a page at a time, each page written as soon as it is read.
    private static func writeAll<Reply: ExportPageReply>(
        _ page: (Int) -> ExportPage<Reply>, _ server: ServerContext, _ writer: inout any ResponseBodyWriter
    ) async throws where Reply.Item: Encodable {
        var written = 0
        while true {
            let reply = try await server.run(page(written))
            var bytes: [UInt8] = []
            for item in reply.items {
                bytes += try ProjectExport.element(item, first: written == 0)
                written += 1
            }
            if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
            if reply.items.isEmpty || written >= reply.total { return }
        }
    }
}
