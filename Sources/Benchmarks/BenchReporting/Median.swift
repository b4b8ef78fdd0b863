extension Array where Element == Double {
    /// The middle value (the mean of the two middle values for an even count): the machine is shared and noisy,
    /// so every reported benchmark number is a median of interleaved rounds, never a single run or a mean.
    public var median: Double {
        precondition(!isEmpty, "the median of no measurements")
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
