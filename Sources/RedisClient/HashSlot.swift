/// Redis Cluster's key → hash slot function, exactly as the cluster specification defines it.
///
/// The slot is CRC16 (XMODEM: polynomial 0x1021, initial value 0, no reflection) of the key modulo 16384. When
/// the key holds a hash tag — a `{` followed later by a `}` with at least one byte between them — only the bytes
/// between the first `{` and the first `}` after it are hashed, so `mae:{p}:events` and `mae:{p}:live` share a
/// slot. `{}` (empty) does not count as a tag, and a key is never scanned for a second tag.
public enum HashSlot {
    /// The number of hash slots in a Redis Cluster.
    public static let count = 16384

    /// The slot of a key given as bytes.
    public static func of(_ key: some Collection<UInt8>) -> Int {
        Int(crc16(hashedPart(of: Array(key))) & UInt16(count - 1))
    }

    /// The slot of a key given as text (its UTF-8 bytes are hashed).
    public static func of(_ key: String) -> Int {
        of(Array(key.utf8))
    }

    /// The bytes that are hashed: the hash tag's content when there is a non-empty tag, else the whole key.
    static func hashedPart(of key: [UInt8]) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
            close > open + 1
        else { return key[...] }
        return key[(open + 1)..<close]
    }

    /// CRC16/XMODEM, as in the specification's reference implementation (`crc16("123456789") == 0x31C3`).
    static func crc16(_ bytes: some Collection<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
