import MaestroDomain
import Testing

@testable import MaestroMCP

@Suite("Tool arguments")
struct ToolArgumentsTests {
    enum Color: String, CaseIterable { case red, green }

    static let tool = ToolDefinition(
        name: "paint", title: "Paint", description: "",
        inputSchema: JSONSchema.object(
            [
                "id": JSONSchema.string(), "color": JSONSchema.string(values: ["red", "green"]),
                "count": JSONSchema.integer(), "ids": JSONSchema.array(JSONSchema.string()),
            ],
            required: ["id"], closed: true))

    /// The message of the argument error `body` throws; nil when it throws none.
    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as ToolArgumentError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func unknownAndMissingNames() {
        #expect(
            message { try ToolArguments(["id": "a", "colour": "red"]).check(against: Self.tool) }
                == "unknown argument 'colour'; paint takes color, count, id, ids")
        #expect(
            message { try ToolArguments(["color": "red"]).check(against: Self.tool) }
                == "missing required argument 'id'")
        #expect(
            message { try ToolArguments(["id": .null]).check(against: Self.tool) } == "missing required argument 'id'")
        #expect(message { try ToolArguments(["id": "a", "count": .null]).check(against: Self.tool) } == nil)
    }

    @Test func strings() throws {
        let arguments = ToolArguments([
            "id": "a", "n": .integer(1), "ids": .array(["x", .integer(2)]), "none": .array([]),
        ])
        #expect(try arguments.string("id") == "a")
        #expect(try arguments.optionalString("missing") == nil)
        #expect(message { _ = try arguments.string("n") } == "'n' must be a string (got a number)")
        #expect(message { _ = try arguments.strings("ids") } == "'ids[1]' must be a string (got a number)")
        #expect(message { _ = try arguments.strings("none") } == "'none' must hold at least one string")
        #expect(message { _ = try arguments.strings("id") } == "'id' must be an array of strings (got a string)")
        #expect(
            message { _ = try arguments.strings("missing") }
                == "missing required argument 'missing' (an array of strings)")
    }

    @Test func integers() throws {
        let arguments = ToolArguments([
            "a": .integer(5), "b": .double(7.0), "c": .double(7.5), "d": "7", "e": .integer(-1), "f": .bool(true),
        ])
        #expect(try arguments.optionalInteger("a", in: 0...10) == 5)
        #expect(try arguments.optionalInteger("b", in: 0...10) == 7)
        #expect(try arguments.optionalInteger("missing", in: 0...10) == nil)
        #expect(
            message { _ = try arguments.optionalInteger("c", in: 0...10) } == "'c' must be a whole number (got 7.5)")
        #expect(
            message { _ = try arguments.optionalInteger("d", in: 0...10) }
                == "'d' must be a whole number (got a string)")
        #expect(message { _ = try arguments.optionalInteger("e", in: 0...10) } == "'e' must be from 0 to 10 (got -1)")
        #expect(
            message { _ = try arguments.optionalInteger("f", in: 0...10) }
                == "'f' must be a whole number (got a boolean)")
    }

    @Test func enumerations() throws {
        let arguments = ToolArguments(["color": "green", "bad": "blue"])
        #expect(try arguments.value("color", as: Color.self) == .green)
        #expect(try arguments.optionalValue("missing", as: Color.self) == nil)
        #expect(
            message { _ = try arguments.value("bad", as: Color.self) }
                == "'blue' is not a valid bad; use one of: red, green")
        #expect(message { _ = try arguments.value("missing", as: Color.self) } == "missing required argument 'missing'")
    }
}
