extension Array where Element == Double {
    /// The middle value (the mean of the two middle values for an even count); the shared, noisy machine
    /// makes single runs and means unreliable, so every reported number is a median.
    var median: Double {
        precondition(!isEmpty, "the median of no measurements")
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
