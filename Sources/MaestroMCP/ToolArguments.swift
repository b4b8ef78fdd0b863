import MaestroDomain

/// Arguments that do not fit the tool's input schema: the tool is not run, and the model is told what to fix.
public struct ToolArgumentError: Error, Sendable, Equatable {
    /// What to fix, for the model.
    public var message: String

    public init(_ message: String) { self.message = message }
}

/// The `arguments` of one `tools/call`, read with the types the tool's schema declares. A `null` value counts as
/// absent (models often send `null` for an optional argument they do not use).
public struct ToolArguments: Sendable {
    /// The arguments given, without `null` ones.
    public let values: [String: JSONValue]

    /// The `arguments` object of a call.
    public init(_ values: [String: JSONValue]) {
        self.values = values.filter { $0.value != .null }
    }

    /// Refuses names the tool does not declare and required names that are missing.
    func check(against tool: ToolDefinition) throws(ToolArgumentError) {
        let known = tool.argumentNames
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            let expected = known.isEmpty ? "no arguments" : known.joined(separator: ", ")
            throw ToolArgumentError("unknown argument '\(unknown)'; \(tool.name) takes \(expected)")
        }
        if let missing = tool.requiredArguments.first(where: { values[$0] == nil }) {
            throw ToolArgumentError("missing required argument '\(missing)'")
        }
    }

    /// A required string.
    public func string(_ name: String) throws(ToolArgumentError) -> String {
        guard let value = try optionalString(name) else {
            throw ToolArgumentError("missing required argument '\(name)' (a string)")
        }
        return value
    }

    /// A string, or nil when absent.
    public func optionalString(_ name: String) throws(ToolArgumentError) -> String? {
        guard let value = values[name] else { return nil }
        guard let text = value.stringValue else { throw Self.wrongType(name, "a string", value) }
        return text
    }

    /// A required, non-empty array of strings.
    public func strings(_ name: String) throws(ToolArgumentError) -> [String] {
        guard let value = values[name] else {
            throw ToolArgumentError("missing required argument '\(name)' (an array of strings)")
        }
        guard let elements = value.arrayValue else { throw Self.wrongType(name, "an array of strings", value) }
        guard !elements.isEmpty else { throw ToolArgumentError("'\(name)' must hold at least one string") }
        var texts: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue else {
                throw Self.wrongType("\(name)[\(index)]", "a string", element)
            }
            texts.append(text)
        }
        return texts
    }

    /// A whole number within `range`, or nil when absent. `3.0` counts as 3, as JSON Schema's `integer` does.
    public func optionalInteger(_ name: String, in range: ClosedRange<Int>) throws(ToolArgumentError) -> Int? {
        guard let value = values[name] else { return nil }
        let number: Int?
        switch value {
        case .integer(let integer): number = Int(exactly: integer)
        case .double(let double) where double.rounded() == double && abs(double) < 1e15: number = Int(double)
        case .double: throw ToolArgumentError("'\(name)' must be a whole number (got \(value.canonicalText))")
        default: throw Self.wrongType(name, "a whole number", value)
        }
        guard let number, range.contains(number) else {
            throw ToolArgumentError(
                "'\(name)' must be from \(range.lowerBound) to \(range.upperBound) (got \(value.canonicalText))")
        }
        return number
    }

    /// One of an enumeration's raw values, or nil when absent.
    public func optionalValue<Value: RawRepresentable<String> & CaseIterable>(
        _ name: String, as type: Value.Type
    ) throws(ToolArgumentError) -> Value? {
        guard let text = try optionalString(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw ToolArgumentError("'\(text)' is not a valid \(name); use one of: \(allowed)")
        }
        return value
    }

    /// One of an enumeration's raw values.
    public func value<Value: RawRepresentable<String> & CaseIterable>(
        _ name: String, as type: Value.Type
    ) throws(ToolArgumentError) -> Value {
        guard let value = try optionalValue(name, as: type) else {
            throw ToolArgumentError("missing required argument '\(name)'")
        }
        return value
    }

    private static func wrongType(_ name: String, _ expected: String, _ value: JSONValue) -> ToolArgumentError {
        ToolArgumentError("'\(name)' must be \(expected) (got \(kind(of: value)))")
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
