import MaestroDomain

/// Builds the small JSON Schemas tools declare (draft 2020-12 keywords that every MCP client understands).
public enum JSONSchema {
    /// An object with these properties; `closed` refuses any other property (`additionalProperties: false`).
    public static func object(
        _ properties: [String: JSONValue], required: [String] = [], closed: Bool = false, description: String? = nil
    ) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        if closed { schema["additionalProperties"] = .bool(false) }
        schema["description"] = description.map(JSONValue.string)
        return .object(schema)
    }

    /// A string, optionally one of `values`, matching `pattern`, or at most `maxLength` characters long.
    public static func string(
        _ description: String? = nil, values: [String]? = nil, pattern: String? = nil, minLength: Int? = nil,
        maxLength: Int? = nil
    ) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "string"]
        schema["description"] = description.map(JSONValue.string)
        schema["enum"] = values.map { .array($0.map(JSONValue.string)) }
        schema["pattern"] = pattern.map(JSONValue.string)
        schema["minLength"] = minLength.map { .integer(Int64($0)) }
        schema["maxLength"] = maxLength.map { .integer(Int64($0)) }
        return .object(schema)
    }

    /// A whole number within the given bounds.
    public static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "integer"]
        schema["description"] = description.map(JSONValue.string)
        schema["minimum"] = minimum.map { .integer(Int64($0)) }
        schema["maximum"] = maximum.map { .integer(Int64($0)) }
        return .object(schema)
    }

    /// true or false.
    public static func boolean(_ description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "boolean"]
        schema["description"] = description.map(JSONValue.string)
        return .object(schema)
    }

    /// An array of `items`.
    public static func array(
        _ items: JSONValue, description: String? = nil, minItems: Int? = nil, maxItems: Int? = nil
    ) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "array", "items": items]
        schema["description"] = description.map(JSONValue.string)
        schema["minItems"] = minItems.map { .integer(Int64($0)) }
        schema["maxItems"] = maxItems.map { .integer(Int64($0)) }
        return .object(schema)
    }

    /// Any JSON object (free-form data).
    public static let anyObject: JSONValue = ["type": "object"]
}
