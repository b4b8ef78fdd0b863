#if canImport(Glibc)
    import Glibc
#endif

/// The agent command a supervisor runs: started with an environment of its own, signalled, reaped.
struct AgentProcess {
    /// How the process ended.
    enum Exit: Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// The code a shell would report: the exit code, or 128 + the signal.
        var code: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }

        var description: String {
            switch self {
            case .exited(let code): "exited with code \(code)"
            case .signalled(let signal): "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            }
        }
    }

    /// Why the command could not start.
    struct StartFailure: Error {
        let message: String
    }

    let pid: pid_t

    /// Starts `command` (looked up on PATH) with `environment`, sharing our stdin, stdout and stderr, with every
    /// signal at its default and none blocked (whatever this process blocks or catches).
    static func start(_ command: [String], environment: [String: String]) throws(StartFailure) -> AgentProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let status = posix_spawnp(&pid, command[0], nil, &attributes, argv, envp)
        guard status == 0 else {
            throw StartFailure(message: "cannot start '\(command[0])': \(String(cString: strerror(status)))")
        }
        return AgentProcess(pid: pid)
    }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// How it ended, if it has (never blocks).
    func reap() -> Exit? {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, WNOHANG) } while result == -1 && errno == EINTR
        guard result == pid else { return nil }
        return (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
    }
}
