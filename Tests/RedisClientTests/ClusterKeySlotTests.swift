import RedisClient
import RedisTestSupport
import Testing

/// `HashSlot` against the specification's examples and against Redis itself.
@Suite("Cluster hash slots")
struct ClusterKeySlotTests {
    @Test func specificationExamples() {
        #expect(HashSlot.of("123456789") == 0x31C3)  // the spec's CRC16 check value, below 16384
        #expect(HashSlot.of("foo") == 12182)
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("user1000"))
        #expect(HashSlot.of("foo{}{bar}") != HashSlot.of("bar"))  // an empty tag: the whole key is hashed
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"))
        #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"))
        #expect(HashSlot.of("") == 0)
    }

    /// Maestro's keys of one project share a slot: the function calls touch one shard.
    @Test func projectKeysShareTheirSlot() {
        let slot = HashSlot.of("mae:{alpha}:events")
        for key in ["mae:{alpha}:live", "mae:{alpha}:task:T-1/progress/s-9", "mae:{alpha}:idem/x/y", "alpha"] {
            #expect(HashSlot.of(key) == slot)
        }
    }

    /// Hundreds of keys, tricky braces and binary bytes included, against `CLUSTER KEYSLOT` of a real node (a lone
    /// cluster-enabled redis-server answers it without any slot assigned).
    @Test func matchesRedisClusterKeyslot() throws {
        let server = try RedisTestServer(arguments: [
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        ])
        defer { server.stop() }
        var generator = SystemRandomNumberGenerator()
        var keys: [[UInt8]] = ["{}", "{", "}", "}{", "a{}b{c}", "{a}{b}", "a{b", "a}b{c}", "{{}}", "{}{x}", "x{y}}"]
            .map { Array($0.utf8) }
        let alphabet = Array("ab{}:_-{}".utf8)
        for _ in 0..<300 {
            let length = Int.random(in: 0...24, using: &generator)
            keys.append((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
        }
        for _ in 0..<100 {
            keys.append((0..<Int.random(in: 1...16, using: &generator)).map { _ in UInt8.random(in: 0...255) })
        }
        let replies = try server.connect().pipeline(
            keys.map { RedisCommand(arguments: [Array("CLUSTER".utf8), Array("KEYSLOT".utf8), $0]) })
        for (key, reply) in zip(keys, replies) {
            #expect(reply == .integer(Int64(HashSlot.of(key))), "key \(key)")
        }
    }
}
