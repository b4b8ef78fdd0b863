import Foundation
import Hummingbird

extension BasicRequestContext {
    /// A path parameter, percent-decoded as clients encode it (`task%3A1` is `task:1`); a malformed encoding is
    /// kept as sent, so the id check refuses it with the text the client sent.
    func pathID(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }
}
