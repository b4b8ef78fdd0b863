import BenchReporting
import Foundation

/// What a process on this machine uses, read from /proc: resident memory and CPU time.
enum ProcessStats {
    /// VmRSS of `pid` in KiB: what the kernel holds in RAM for it right now (touched pages, not reservations).
    static func residentKiB(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(line.dropFirst("VmRSS:".count).trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
        else {
            throw BenchError("no VmRSS in /proc/\(pid)/status: has the process exited?")
        }
        return kib
    }

    /// CPU seconds `pid` has used so far (all threads), from /proc/PID/stat: in all, and of them in the kernel
    /// (system time: on loopback, the kernel's work for a write includes delivering it to the receiving socket).
    static func cpuSeconds(of pid: Int32) -> (total: Double, kernel: Double) {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return (0, 0) }
        // After "pid (comm) ": state is field 3, utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return (0, 0) }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((user + system) / ticks, system / ticks)
    }
}
