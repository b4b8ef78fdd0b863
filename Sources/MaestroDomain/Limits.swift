/// Size limits on user and agent text (spec §2); the Redis functions enforce the same numbers.
public enum Limits {
    /// Longest id, in characters.
    public static let identifierLength = 128
    /// Longest task title, in characters (Unicode scalars).
    public static let titleLength = 500
    /// Longest task description, in UTF-8 bytes.
    public static let descriptionBytes = 64 * 1024
    /// Longest progress notes, in UTF-8 bytes.
    public static let notesBytes = 4 * 1024
    /// Longest session name, in characters.
    public static let nameLength = 200
    /// Largest extra data (fields an older system had, kept as JSON) on one record, in UTF-8 bytes.
    public static let extraBytes = 8 * 1024 * 1024
}
