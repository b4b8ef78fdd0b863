#if canImport(Glibc)
    import Glibc
#endif

/// The raw bytes of the command line, before Swift decodes (and repairs) them as strings.
enum ArgumentBytes {
    /// The 1-based position of the first argument that is not valid UTF-8, if any.
    static func firstInvalidUTF8Argument() -> Int? {
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
            if String(validating: bytes, as: UTF8.self) == nil { return index }
        }
        return nil
    }
}
