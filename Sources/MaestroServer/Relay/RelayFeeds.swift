import NIOCore

/// The feeds (sinks) a relay serves, by project and, within a project, by the event loop each is delivered on —
/// grouped when a feed comes or goes, so handing an item to a project's feeds takes one hop per loop and no sorting.
struct RelayFeeds {
    /// The feeds of one project delivered on one event loop (or, with no loop, on the relay's thread).
    struct LoopGroup {
        let loop: (any EventLoop)?
        fileprivate(set) var sinks: [ObjectIdentifier: any RelaySink] = [:]

        /// Hands `item` to every feed of the group: one task on the group's loop delivers it to all of them.
        func deliver(_ item: RelayItem) {
            let sinks = sinks
            if let loop {
                loop.execute { for sink in sinks.values { sink.deliver(item) } }
            } else {
                for sink in sinks.values { sink.deliver(item) }
            }
        }
    }

    private var projects: [String: [ObjectIdentifier?: LoopGroup]] = [:]
    /// How many feeds there are, in all projects.
    private(set) var count = 0

    /// The projects with at least one feed.
    var projectIds: Dictionary<String, [ObjectIdentifier?: LoopGroup]>.Keys { projects.keys }

    /// The groups of `projectId`'s feeds (none when it has no feed).
    func groups(of projectId: String) -> [LoopGroup] { projects[projectId].map { Array($0.values) } ?? [] }

    /// Every group of every project.
    var allGroups: [LoopGroup] { projects.values.flatMap(\.values) }

    /// Adds `sink`; true when its project had no feed before.
    mutating func insert(_ sink: any RelaySink) -> Bool {
        let loop = sink.eventLoop
        let key = loop.map(ObjectIdentifier.init)
        let isFirst = projects[sink.projectId] == nil
        projects[sink.projectId, default: [:]][key, default: LoopGroup(loop: loop)].sinks[ObjectIdentifier(sink)] = sink
        count += 1
        return isFirst
    }

    /// Removes `sink`; true when its project has no feed left.
    mutating func remove(_ sink: any RelaySink) -> Bool {
        let key = sink.eventLoop.map(ObjectIdentifier.init)
        guard projects[sink.projectId]?[key]?.sinks.removeValue(forKey: ObjectIdentifier(sink)) != nil else {
            return false
        }
        count -= 1
        if projects[sink.projectId]?[key]?.sinks.isEmpty == true { projects[sink.projectId]?[key] = nil }
        guard projects[sink.projectId]?.isEmpty == true else { return false }
        projects[sink.projectId] = nil
        return true
    }
}
