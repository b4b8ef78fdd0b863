import RedisClient

/// Lays out a page of task summaries as the API's JSON, `{"tasks":[…],"total":N,"cursor":"<stream id>"}`, from the
/// parts `list_tasks` returns for the summary view: `[total, cursor, 1 for the archive or 0, [fields of each task]]`.
///
/// Redis reads and checks, the server writes: a page holds a thousand summaries, and writing their JSON inside the
/// function cost Redis a fifth of the page. Each task's fields come in this order, absent ones nil: title, status,
/// priority, parentId, createdAt, updatedAt, version, the progress array's JSON (made by the function), id,
/// suggestedStatus. All but the title are ids, enum values, timestamps and numbers the library wrote, which need no
/// escaping.
enum TaskSummaryPage {
    static func json(from reply: RedisReply) throws -> [UInt8] {
        guard let parts = reply.array, parts.count == 4, let total = parts[0].integer,
            case .bulk(let cursor) = parts[1], let archive = parts[2].integer, let tasks = parts[3].array
        else { throw unexpected(reply) }
        var json: [UInt8] = []
        json.reserveCapacity(64 + tasks.count * 320)
        json += #"{"tasks":["#.utf8
        for (index, task) in tasks.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            try append(task, archived: archive == 1, to: &json)
        }
        json += #"],"total":"#.utf8
        json += String(total).utf8
        json += #","cursor":""#.utf8
        json += cursor
        json += #""}"#.utf8
        return json
    }

    private static func append(_ task: RedisReply, archived: Bool, to json: inout [UInt8]) throws {
        guard let fields = task.array, fields.count == 10 else { throw unexpected(task) }
        func bytes(_ index: Int) -> [UInt8]? {
            switch fields[index] {
            case .bulk(let bytes): return bytes
            case .integer(let value): return Array(String(value).utf8)
            default: return nil
            }
        }
        guard let title = bytes(0), let status = bytes(1), let priority = bytes(2), let createdAt = bytes(4),
            let updatedAt = bytes(5), let version = bytes(6), let progress = bytes(7), let id = bytes(8)
        else { throw unexpected(task) }
        json += #"{"id":""#.utf8
        json += id
        json += #"","title":"#.utf8
        appendString(title, to: &json)
        json += #","status":""#.utf8
        json += status
        json += #"","priority":""#.utf8
        json += priority
        if let parentId = bytes(3) {
            json += #"","parentId":""#.utf8
            json += parentId
        }
        json += #"","createdAt":""#.utf8
        json += createdAt
        json += #"","updatedAt":""#.utf8
        json += updatedAt
        json += #"","version":"#.utf8
        json += version
        if let suggestion = bytes(9) {
            json += #","suggestedStatus":""#.utf8
            json += suggestion
            json.append(UInt8(ascii: "\""))
        }
        json += #","progress":"#.utf8
        json += progress
        if archived { json += #","archived":true"#.utf8 }
        json.append(UInt8(ascii: "}"))
    }

    /// `text` (UTF-8) as a JSON string literal, quotes included.
    private static func appendString(_ text: [UInt8], to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        defer { json.append(UInt8(ascii: "\"")) }
        guard text.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            return json += text
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                json.append(UInt8(ascii: "\\"))
                json.append(byte)
            case UInt8(ascii: "\n"): json += #"\n"#.utf8
            case UInt8(ascii: "\r"): json += #"\r"#.utf8
            case UInt8(ascii: "\t"): json += #"\t"#.utf8
            case 0..<0x20:
                json += #"\u00"#.utf8
                json.append(hexDigits[Int(byte >> 4)])
                json.append(hexDigits[Int(byte & 0xF)])
            default: json.append(byte)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func unexpected(_ reply: RedisReply) -> StoreError {
        StoreError(.unexpectedReply, "expected a page of task summaries from Redis, got \(reply)")
    }
}
