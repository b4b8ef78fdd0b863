import MaestroDomain

/// Times as the old server wrote them (epoch milliseconds; some data has ISO-8601 text) turned into the form
/// Maestro stores: ISO-8601 UTC with milliseconds (`2024-01-31T09:30:00.000Z`), which sorts as it reads.
public enum LegacyTimestamp {
    /// The times accepted: the years 1970 through 9999, in epoch milliseconds.
    public static let range: ClosedRange<Int64> = 0...253_402_300_799_999

    /// A JSON value from an old file as Maestro's time text: a number (epoch milliseconds), a string of
    /// digits (the same), or ISO-8601 text with a zone; nil when it is none of those or out of range.
    public static func iso(from value: JSONValue) -> String? {
        switch value {
        case .integer(let milliseconds): return iso(milliseconds: milliseconds)
        case .double(let milliseconds) where milliseconds.rounded() == milliseconds && abs(milliseconds) < 1e15:
            return iso(milliseconds: Int64(milliseconds))
        case .string(let text):
            if let milliseconds = Int64(text) { return iso(milliseconds: milliseconds) }
            return milliseconds(iso: text).flatMap(iso(milliseconds:))
        default: return nil
        }
    }

    /// Epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`; nil outside `range`.
    public static func iso(milliseconds: Int64) -> String? {
        guard range.contains(milliseconds) else { return nil }
        let days = milliseconds / 86_400_000
        let rest = milliseconds % 86_400_000
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm), as in the function library.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(rest / 3_600_000, 2) + ":"
            + pad(rest / 60000 % 60, 2) + ":" + pad(rest / 1000 % 60, 2) + "." + pad(rest % 1000, 3) + "Z"
    }

    /// ISO-8601 text with a date, a time, optional fractions of a second and a zone (`Z` or `±HH:MM`) as epoch
    /// milliseconds (fractions beyond milliseconds are cut); nil when it does not read as one.
    public static func milliseconds(iso text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func skip(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2),
            skip("T") || skip(" "), let hour = number(2), skip(":"), let minute = number(2), skip(":"),
            let second = number(2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var millis: Int64 = 0
        if skip(".") {
            var digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                if digits < 3 { millis = millis * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if !skip("Z") {
            let sign: Int64
            if skip("+") { sign = 1 } else if skip("-") { sign = -1 } else { return nil }
            guard let offsetHours = number(2) else { return nil }
            _ = skip(":")
            guard let minutes = number(2), offsetHours < 24, minutes < 60 else { return nil }
            offsetMinutes = sign * (offsetHours * 60 + minutes)
        }
        guard index == bytes.count, day <= daysIn(month: month, year: year) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000 + second * 1000 + millis
    }

    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
