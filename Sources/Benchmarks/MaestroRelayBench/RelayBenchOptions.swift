import BenchReporting

/// The command line of `maestro-relay-bench`.
struct RelayBenchOptions {
    static let usage = """
        usage: maestro-relay-bench [--quick] [--server PATH] [--clients N] [--rate R] [--seconds T] [--idle N]
                                   [--rounds N]

        Measures maestro-server's relay against raw Redis pub/sub, in the same run, on a private redis-server:
        the latency from a committed update to the frame at the client (p50, p99) with N WebSocket clients
        next to N SSUBSCRIBE clients, then the server's resident memory per idle WebSocket connection next to
        redis-server's per idle SSUBSCRIBE connection. Prints a table and a final JSON line.

          --quick         smoke run (200 clients, 3 s per round, 1 round per side, 1000 idle; well under a minute)
          --server PATH   the release maestro-server binary (default .build/release/maestro-server)
          --clients N     receivers per side during the latency rounds (default 1000)
          --rate R        events committed per second (default 50)
          --seconds T     measured seconds per round (default 10)
          --idle N        idle connections for the memory measurement (default 50000)
          --rounds N      rounds per side, interleaved; medians are reported (default 2)
        """

    var quick = false
    /// Whether a size option (clients, rate, seconds, idle, rounds) was given: the run is then neither the quick
    /// nor the full one, and the report says so.
    var custom = false
    var serverPath = ".build/release/maestro-server"
    var clients = 1000
    var rate = 50
    var seconds = 10.0
    var idle = 50_000
    var rounds = 2

    /// Parses the arguments after the program name; nil means help was asked for. `--quick` sets the defaults
    /// it changes first, so explicit options win wherever they stand.
    static func parse(_ arguments: [String]) throws -> RelayBenchOptions? {
        var options = RelayBenchOptions()
        if arguments.contains("--quick") {
            options.quick = true
            options.clients = 200
            options.seconds = 3
            options.idle = 1000
            options.rounds = 1
        }
        var arguments = BenchArguments(arguments, usage: usage)
        while let argument = arguments.next() {
            if ["--clients", "--rate", "--seconds", "--idle", "--rounds"].contains(argument) { options.custom = true }
            switch argument {
            case "--quick": break
            case "-h", "--help": return nil
            case "--server": options.serverPath = try arguments.value(of: argument)
            case "--clients": options.clients = try arguments.number(of: argument, in: 1...15_000)
            case "--rate": options.rate = try arguments.number(of: argument, in: 1...10_000)
            case "--idle": options.idle = try arguments.number(of: argument, in: 1...60_000)
            case "--rounds": options.rounds = try arguments.number(of: argument, in: 1...20)
            case "--seconds": options.seconds = try arguments.seconds(of: argument)
            default: throw arguments.unknown(argument)
            }
        }
        return options
    }

    /// The run's name in the report and the JSON line.
    var mode: String { custom ? "custom" : quick ? "quick" : "full" }
}
