import Testing

@testable import MaestroMCP

@Suite("Line splitter")
struct LineSplitterTests {
    /// Feeds `chunks` one after the other and collects every piece, as the stdio loop does.
    private func pieces(_ chunks: [String], limit: Int = 16) -> [LineSplitter.Piece] {
        var splitter = LineSplitter(limit: limit)
        var found: [LineSplitter.Piece] = []
        for chunk in chunks {
            splitter.append(Array(chunk.utf8))
            while let piece = splitter.next() { found.append(piece) }
        }
        while let piece = splitter.finish() { found.append(piece) }
        return found
    }

    private func line(_ text: String) -> LineSplitter.Piece { .line(Array(text.utf8)) }

    @Test func linesAcrossAndWithinChunks() {
        #expect(pieces(["a\nb", "c\n", "\nd"]) == [line("a"), line("bc"), line(""), line("d")])
        #expect(pieces(["one\r\ntwo\r", "\n"]) == [line("one"), line("two")])
        #expect(pieces(["x"]) == [line("x")])
        #expect(pieces([]) == [])
        #expect(pieces(["done\n"]) == [line("done")])
    }

    @Test func overLongLinesAreReportedOnceAndSkipped() {
        let long = String(repeating: "z", count: 40)
        #expect(pieces([long + "\nok\n"]) == [.tooLong, line("ok")])
        // Spread over many chunks, it is dropped as it arrives and reported once.
        #expect(pieces(Array(repeating: "0123456789", count: 10) + ["\n", "after\n"]) == [.tooLong, line("after")])
        // Without a newline at the end of the input.
        #expect(pieces(Array(repeating: "0123456789", count: 3)) == [.tooLong])
        #expect(pieces([String(repeating: "y", count: 16) + "\n"]) == [line(String(repeating: "y", count: 16))])
    }
}
