// How every benchmark prints: tables of padded columns, fixed decimals, met or MISSED, and one line of JSON.

import Foundation

/// One table row: the first column left-aligned, the numbers after it right-aligned in their widths.
public func row(_ cells: [String], _ widths: [Int], separator: String = "  ") -> String {
    zip(cells, widths).enumerated().map { index, pair in
        let (cell, width) = pair
        let padding = String(repeating: " ", count: max(0, width - cell.count))
        return index == 0 ? cell + padding : padding + cell
    }.joined(separator: separator).replacing(/\s+$/, with: "")
}

/// `value` with `digits` decimals.
public func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

/// `value` rounded to `digits` decimals, for the JSON line.
public func rounded(_ value: Double, _ digits: Int) -> Double {
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
}

/// A whole number with thousands separators, e.g. `12,345`.
public func grouped(_ value: Double) -> String {
    let digits = Array(String(Int(value.rounded())))
    var text = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
        text.append(digit)
    }
    return text
}

/// How a target came out.
public func verdict(_ met: Bool) -> String { met ? "met" : "MISSED" }

/// The report's last line: `value` as JSON with sorted keys.
public func encodedLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
