import Foundation
import PackagePlugin

/// Turns the target's `Lua/*.lua` files into one Swift source holding the Redis function library,
/// so the library ships inside every binary without runtime resource lookups.
@main
struct EmbedLuaPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let luaDirectory = target.directoryURL.appending(path: "Lua")
        let order = luaDirectory.appending(path: "ORDER")
        let output = context.pluginWorkDirectoryURL.appending(path: "FunctionLibrary+source.swift")
        let inputs = try FileManagerShim.files(in: luaDirectory)
        return [
            .buildCommand(
                displayName: "Embedding the Redis function library of \(target.name)",
                executable: try context.tool(named: "LuaEmbedder").url,
                arguments: [luaDirectory.path(), output.path()],
                inputFiles: inputs + [order],
                outputFiles: [output]
            )
        ]
    }
}

/// Lists the Lua sources, so the build reruns when any of them changes.
enum FileManagerShim {
    static func files(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "lua" }
            .sorted { $0.path < $1.path }
    }
}
