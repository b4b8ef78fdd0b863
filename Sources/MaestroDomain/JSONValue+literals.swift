extension JSONValue: ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral, ExpressibleByBooleanLiteral {
    /// `"text"` as a JSON string, so JSON written in Swift (schemas, replies) reads like JSON.
    public init(stringLiteral value: String) { self = .string(value) }

    /// `["key": value]` as a JSON object; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    /// `true` / `false` as JSON booleans.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
