extension Array where Element == UInt8 {
    /// Lends the bytes with a pointer that is never nil, even for an empty array
    /// (libsodium wants a valid pointer whatever the length).
    func withNonNullPointer<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { return try body(base, buffer.count) }
            var placeholder: UInt8 = 0
            return try body(&placeholder, 0)
        }
    }
}
