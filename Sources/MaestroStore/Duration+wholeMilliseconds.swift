extension Duration {
    /// Whole milliseconds, rounded down: what Redis commands and the functions take (`Duration / Duration` is a
    /// Double, which prints as `200.0` and, with a fraction, is refused).
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
