import Hummingbird

extension Request {
    /// A yes/no query parameter: nil when absent, otherwise `true` or `false` — anything else is a 400.
    func flag(_ name: String) throws -> Bool? {
        switch uri.queryParameters.get(name) {
        case nil: nil
        case "true": true
        case "false": false
        case let other: throw APIError.badRequest("\(name) must be true or false (got '\(other ?? "")')")
        }
    }
}
