import ArgumentParser

/// `maestro session …`
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Create sessions for scripts and tests.",
        subcommands: [SessionCreate.self]
    )
}
