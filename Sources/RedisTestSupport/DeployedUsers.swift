import Foundation
import RedisClient

/// The least-privilege Redis users shipped in deploy/users.acl, for tests that load that very file into a
/// private redis-server (`RedisTestServer(arguments: DeployedUsers.serverArguments)`).
public enum DeployedUsers {
    /// deploy/users.acl of this checkout.
    public static let aclFile: String = {
        var path = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        path.removeLast(3)  // Sources/RedisTestSupport/DeployedUsers.swift
        return path.joined(separator: "/") + "/deploy/users.acl"
    }()

    /// redis-server arguments that load a private copy of the file: `ACL SAVE` (as `maestro setup --agent-user`
    /// runs) writes to the copy, never to the checkout.
    public static var serverArguments: [String] {
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("maestro-users-\(UUID().uuidString).acl").path
        _ = FileManager.default.createFile(atPath: copy, contents: FileManager.default.contents(atPath: aclFile))
        return ["--aclfile", copy]
    }

    /// The password the shipped file gives `user` (`maestro-agent` → `change-me-agent`).
    public static func password(of user: String) -> String {
        "change-me-" + user.dropFirst("maestro-".count)
    }

    /// `redis://user:password@127.0.0.1:port`.
    public static func url(_ user: String, on server: RedisTestServer) -> String {
        "redis://\(user):\(password(of: user))@127.0.0.1:\(server.port)"
    }

    /// A connection as `user`.
    public static func connect(_ user: String, to server: RedisTestServer) throws -> RedisConnection {
        RedisConnection(try RedisConfiguration(url: url(user, on: server)))
    }
}
