import MaestroDomain

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The old Node server's data directory: `tasks/<projectId>/<taskId>.json` (older data: `tasks/<taskId>.json`),
/// `sessions/<id>.json`, `projects/<id>.json`.
public struct LegacyDataDirectory: Sendable {
    /// The largest file read; larger ones are reported, not read.
    public static let maximumFileBytes = 16 * 1024 * 1024

    /// One old record file.
    public struct Entry: Sendable, Equatable {
        /// What the file holds.
        public enum Kind: Sendable, Equatable {
            /// A task; `directory` is the project directory it lies in, nil for the flat layout.
            case task(directory: String?)
            case session
            case project
        }

        public var kind: Kind
        /// The path relative to the data directory.
        public var path: String
        /// The file name without `.json`.
        public var stem: String

        /// The kind of record the file holds.
        public var recordKind: MigrationReport.RecordKind {
            switch kind {
            case .task: .task
            case .session: .session
            case .project: .project
            }
        }

        /// The project directory a task file lies in.
        public var directory: String? {
            if case .task(let directory) = kind { return directory }
            return nil
        }
    }

    /// The record files found, and the other files (reported as ignored).
    public struct Listing: Sendable {
        public var entries: [Entry] = []
        public var ignored: [String] = []
    }

    /// The directory's path.
    public let root: String

    /// Refuses a path that is not a directory holding at least one of `tasks/`, `sessions/`, `projects/`.
    public init(root: String) throws(MappingFailure) {
        self.root = root
        guard Self.isDirectory(root) else { throw MappingFailure("\(root) is not a directory") }
        guard ["tasks", "sessions", "projects"].contains(where: { Self.isDirectory(root + "/" + $0) }) else {
            throw MappingFailure(
                "\(root) has none of tasks/, sessions/ or projects/: it is not an old Maestro data directory")
        }
    }

    /// Every record file in a stable order. With `project`, other projects' task directories are not listed
    /// (flat task files, sessions and projects are: only their content tells their project).
    public func listing(project: String? = nil) throws(MappingFailure) -> Listing {
        var listing = Listing()
        for name in try names(in: "tasks") {
            let path = "tasks/" + name
            if Self.isDirectory(root + "/" + path) {
                if let project, name != project { continue }
                for file in try names(in: path) { add(path + "/" + file, .task(directory: name), to: &listing) }
            } else {
                add(path, .task(directory: nil), to: &listing)
            }
        }
        for name in try names(in: "sessions") { add("sessions/" + name, .session, to: &listing) }
        for name in try names(in: "projects") { add("projects/" + name, .project, to: &listing) }
        return listing
    }

    /// Reads one file as a JSON object; refuses files too large, unreadable, not JSON or not an object.
    public func read(_ entry: Entry) throws(MappingFailure) -> [String: JSONValue] {
        let value: JSONValue
        do {
            let bytes = try FileBytes.read(path: root + "/" + entry.path, limit: Self.maximumFileBytes)
            value = try JSONParser.parse(bytes)
        } catch let error as FileBytes.Failure {
            throw MappingFailure(error.message)
        } catch {
            throw MappingFailure("\(error)")
        }
        guard let object = value.objectValue else { throw MappingFailure("the file holds JSON but not an object") }
        return object
    }

    private func add(_ path: String, _ kind: Entry.Kind, to listing: inout Listing) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard name.hasSuffix(".json"), name.count > 5, Self.isRegularFile(root + "/" + path) else {
            listing.ignored.append(path)
            return
        }
        listing.entries.append(Entry(kind: kind, path: path, stem: String(name.dropLast(5))))
    }

    /// The sorted names in a subdirectory; none when it does not exist.
    private func names(in subdirectory: String) throws(MappingFailure) -> [String] {
        let path = root + "/" + subdirectory
        guard Self.isDirectory(path) else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw MappingFailure("cannot list \(path): \(error)")
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }
}
