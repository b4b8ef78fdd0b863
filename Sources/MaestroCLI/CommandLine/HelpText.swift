/// Help pages and usage lines, made from the command specs.
enum HelpText {
    /// The full help of the last command in `path`.
    static func page(for path: [CommandSpec]) -> String {
        let command = path.last!
        var lines = ["OVERVIEW: \(command.abstract)", ""]
        if !command.discussion.isEmpty { lines += [command.discussion, ""] }
        lines.append("USAGE: \(usage(for: path))")
        if !command.arguments.isEmpty {
            lines += ["", "ARGUMENTS:"]
            for argument in command.arguments {
                lines.append(row("<\(argument.name)>\(argument.isRepeating ? " ..." : "")", argument.help))
            }
        }
        lines += ["", "OPTIONS:"]
        for option in command.options {
            var help = option.help
            if let allowed = option.allowedValues { help += " (\(allowed.joined(separator: ", ")))" }
            lines.append(row("--\(option.name)" + (option.valueName.map { " <\($0)>" } ?? ""), help))
        }
        lines.append(row("-h, --help", "Show help information."))
        if !command.subcommands.isEmpty {
            lines += ["", "SUBCOMMANDS:"]
            for subcommand in command.subcommands { lines.append(row(subcommand.name, subcommand.abstract)) }
            lines += ["", "  See '\(path.map(\.name).joined(separator: " ")) <subcommand> --help' for its help."]
        }
        return lines.joined(separator: "\n")
    }

    /// `maestro task update <task-id> --status <status> [--notes <notes>] ...`
    static func usage(for path: [CommandSpec]) -> String {
        let command = path.last!
        var parts = [path.map(\.name).joined(separator: " ")]
        if !command.subcommands.isEmpty && command.run == nil { parts.append("<subcommand>") }
        for argument in command.arguments {
            let text = "<\(argument.name)>" + (argument.isRepeating ? " ..." : "")
            parts.append(argument.isOptional ? "[\(text)]" : text)
        }
        for option in command.options {
            let text = "--\(option.name)" + (option.valueName.map { " <\($0)>" } ?? "")
            parts.append(option.isRequired ? text : "[\(text)]")
        }
        return parts.joined(separator: " ")
    }

    private static func row(_ name: String, _ help: String) -> String {
        let padded =
            name.count < 28
            ? name + String(repeating: " ", count: 28 - name.count) : name + "\n" + String(repeating: " ", count: 30)
        return "  " + padded + help
    }
}
