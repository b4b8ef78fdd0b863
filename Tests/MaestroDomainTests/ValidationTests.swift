import MaestroDomain
import Testing

@Suite("Input validation")
struct ValidationTests {
    @Test(
        "ids accept letters, digits and . _ - :",
        arguments: ["a", "task_1", "proj.x-y:z", String(repeating: "a", count: 128)])
    func validIds(id: String) throws {
        try Validation.identifier(id, "task id")
    }

    @Test(
        "ids refuse what could break a key or a hash tag",
        arguments: ["", "a{b", "a}b", "a b", "a\nb", "a/b", "é", "a\0b", String(repeating: "a", count: 129)])
    func invalidIds(id: String) {
        #expect(throws: MaestroError.self) { try Validation.identifier(id, "task id") }
    }

    @Test("titles: 1-500 characters on one line")
    func titles() throws {
        try Validation.title("Fix the build")
        try Validation.title(String(repeating: "é", count: 500))
        #expect(throws: MaestroError.self) { try Validation.title("") }
        #expect(throws: MaestroError.self) { try Validation.title(String(repeating: "x", count: 501)) }
        #expect(throws: MaestroError.self) { try Validation.title("two\nlines") }
    }

    @Test("notes: up to 4 KiB, newlines allowed, other control characters not")
    func notes() throws {
        try Validation.text("line one\nline two\ttabbed", "notes", limit: Limits.notesBytes)
        try Validation.text(String(repeating: "x", count: 4096), "notes", limit: Limits.notesBytes)
        #expect(throws: MaestroError.self) {
            try Validation.text(String(repeating: "x", count: 4097), "notes", limit: Limits.notesBytes)
        }
        #expect(throws: MaestroError.self) { try Validation.text("bell\u{7}", "notes", limit: Limits.notesBytes) }
        #expect(throws: MaestroError.self) { try Validation.text("nul\0", "notes", limit: Limits.notesBytes) }
    }

    @Test("raw bytes must be UTF-8")
    func utf8() throws {
        #expect(try Validation.utf8(Array("ok ✓".utf8), "notes") == "ok ✓")
        #expect(throws: MaestroError.self) { try Validation.utf8([0x61, 0xFF], "notes") }
        #expect(throws: MaestroError.self) { try Validation.utf8([0xED, 0xA0, 0x80], "notes") }  // a surrogate
    }

    @Test("random ids and tokens are valid and distinct")
    func randomIdentifiers() throws {
        let ids = (0..<100).map { _ in RandomIdentifier.make(prefix: "task") }
        #expect(Set(ids).count == 100)
        for id in ids { try Validation.identifier(id, "task id") }
        let token = RandomIdentifier.token()
        #expect(token.count == 68 && token.hasPrefix("mst_"))
    }
}
