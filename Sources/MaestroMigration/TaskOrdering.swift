/// The order to import tasks in: each parent before its subtasks (the store refuses a missing parent),
/// otherwise the given order.
enum TaskOrdering {
    /// Indices of `parents` in import order, and the indices whose parent link must be dropped because it
    /// closes a cycle. `parents[i]` is the index of task i's parent in the same list, or nil.
    static func parentsFirst(_ parents: [Int?]) -> (order: [Int], cycleBreaks: [Int]) {
        var emitted = [Bool](repeating: false, count: parents.count)
        var order: [Int] = []
        var cycleBreaks: [Int] = []
        for start in parents.indices where !emitted[start] {
            // Walk up to the first ancestor already emitted (or the root), then emit top-down.
            var path: [Int] = []
            var onPath = Set<Int>()
            var current: Int? = start
            while let index = current, !emitted[index] {
                if onPath.contains(index) {
                    // `path.last` points back into the path: cut its link to break the cycle.
                    cycleBreaks.append(path.last!)
                    break
                }
                path.append(index)
                onPath.insert(index)
                current = parents[index]
            }
            for index in path.reversed() {
                emitted[index] = true
                order.append(index)
            }
        }
        return (order, cycleBreaks)
    }
}
