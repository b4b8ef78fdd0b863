import MaestroDomain
import MaestroMigration
import Testing

@Suite("strict JSON parser for old files")
struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func failure(_ text: String) -> JSONParser.Failure? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("values of every kind, numbers kept as integers when they are")
    func values() throws {
        let value = try parse(
            #" {"a": [1, -2, 3.5, 1e3, 12345678901234567890, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"} "#)
        #expect(
            value
                == .object([
                    "a": .array([
                        .integer(1), .integer(-2), .double(3.5), .double(1000), .double(12_345_678_901_234_567_890),
                        .bool(true), .bool(false), .null,
                    ]),
                    "b": .string("x\"\\/\né😀"),
                ]))
        #expect(try parse("[]") == .array([]) && parse("{}") == .object([:]))
    }

    @Test("canonical text is stable: parse(canonical(v)) == v and keys are sorted")
    func canonical() throws {
        let value = try parse(#"{"z":1,"a":{"y":[1.5,"\u0001\t"],"b":null}}"#)
        #expect(value.canonicalText == #"{"a":{"b":null,"y":[1.5,"\u0001\t"]},"z":1}"#)
        #expect(try parse(value.canonicalText) == value)
    }

    @Test("malformed input says what and where")
    func malformed() throws {
        let cases: [(String, Int, Int, String)] = [
            ("{\"a\": 1,\n \"b\": }", 2, 7, "expected a value"),
            ("[1, 2", 1, 6, "expected ',' or ']'"),
            ("{\"a\" 1}", 1, 6, "expected ':'"),
            ("{\"a\":1,\"a\":2}", 1, 8, "duplicate key"),
            ("\"abc", 1, 1, "not closed"),
            ("[01]", 1, 2, "must not start with 0"),
            ("tru", 1, 1, "expected true"),
            ("{} x", 1, 4, "after the value"),
            ("\"\u{1}\"", 1, 2, "control character"),
            ("\"\\ud800\"", 1, 8, "surrogate"),
            ("", 1, 1, "end of input"),
        ]
        for (text, line, column, message) in cases {
            let error = try #require(failure(text), "\(text)")
            #expect(error.line == line && error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error)")
        }
        #expect(
            failure(String(repeating: "[", count: 300) + String(repeating: "]", count: 300))?.message
                .contains("nested deeper") == true)
        let invalidUTF8 = [UInt8(ascii: "\""), 0xFF, UInt8(ascii: "\"")]
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(invalidUTF8) }
    }
}
