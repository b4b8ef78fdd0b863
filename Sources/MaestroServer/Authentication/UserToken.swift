import Foundation
import MaestroDomain

/// The dashboard / API user token: MAESTRO_USER_TOKEN, or one generated at first start and kept (mode 0600)
/// in the data directory.
public enum UserToken {
    /// The token, and whether it was just generated (then the caller prints it once).
    public static func resolve(environment: String?, dataDirectory: URL) throws -> (token: String, isNew: Bool) {
        if let environment, !environment.isEmpty { return (environment, false) }
        let file = dataDirectory.appendingPathComponent("user-token")
        if let stored = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            !stored.isEmpty
        {
            return (stored, false)
        }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let token = "mut_" + RandomIdentifier.token().dropFirst(4)
        guard
            FileManager.default.createFile(
                atPath: file.path, contents: Data((token + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        return (token, true)
    }
}
