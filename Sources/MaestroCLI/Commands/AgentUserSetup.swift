import MaestroDomain
import MaestroMigration
import MaestroStore
import RedisClient

/// `maestro setup --agent-user NAME --project P`: a Redis user that can do, in project P only, what an agent does
/// (call the functions, wake on the project's channel), and nothing in any other project.
enum AgentUserSetup {
    /// Users the shipped ACL file defines for the server and operators; an agent user must not replace one.
    static let reservedNames: Set<String> = [
        "default", "maestro-admin", "maestro-server", "maestro-relay", "maestro-agent", "maestro-replica",
    ]

    static func run(name: String, projectId: String, passwordFile: String?, environment: CLIEnvironment) throws {
        try Validation.identifier(name, "Redis user name")
        guard !reservedNames.contains(name) else {
            throw MaestroError(.invalidInput, "\(name) is a user of deploy/users.acl; choose another name")
        }
        let password = try passwordFile.map(readPassword) ?? RandomIdentifier.token().dropFirst(4).description
        let command = try RedisPermissions.setAgentUser(name: name, projectId: projectId, password: password)
        let connection = try environment.connection()
        let replies = try connection.sendToEveryPrimary(command)
        for (node, reply) in replies {
            if case .error(let message) = reply { throw RedisError(.server, "\(message) (at \(node))") }
        }
        // Kept where Redis keeps its users in a file (aclfile); otherwise it lasts until that Redis restarts.
        for (node, reply) in try connection.sendToEveryPrimary(RedisCommand("ACL", "SAVE")) {
            if case .error(let message) = reply {
                printError(
                    "warning: \(node) could not save its users (\(message)): \(name) lasts until that Redis restarts; "
                        + "configure an aclfile (deploy/redis/maestro.conf) and run this again")
            }
        }
        printError(
            "created Redis user \(name) on \(replies.count) node(s): project \(projectId)'s keys and channels "
                + "(mae:{\(projectId)}:*) only; running it again gives it a new password")
        switch connection.configuration.endpoint {
        case .tcp:
            print("MAESTRO_AGENT_REDIS_URL=redis://\(name):\(password)@\(connection.configuration.endpoint)")
        case .unix:
            print("MAESTRO_AGENT_REDIS_USER=\(name)")
            print("MAESTRO_AGENT_REDIS_PASSWORD=\(password)")
        }
    }

    /// A password from a file: its first line, at least 16 characters, safe in a URL.
    private static func readPassword(_ path: String) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path: path, limit: 4096)
        } catch {
            throw MaestroError(.invalidInput, "cannot read the password file: \(error.message)")
        }
        let password = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard password.count >= 16, password.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x40 && $0 != 0x3A })
        else {
            throw MaestroError(
                .invalidInput,
                "the password in \(path) must be at least 16 printable ASCII characters without spaces, ':' or '@'")
        }
        return password
    }
}
