/// Command ids this project's tools put on the commands they send (docs/protocol.md §4).
///
/// The cube accepts 1–15 digits, but the original accepts only 2–15 and answers a one-digit id
/// with `FALSE invalid command id syntax or length`. Everything we send therefore uses ids of
/// 2–15 digits, so our clients, zenki and links work against either cube.
public enum CommandID {
    /// The smallest id the original accepts.
    public static let first: UInt64 = 10
    /// The largest 15-digit id.
    public static let last: UInt64 = 999_999_999_999_999
    /// The id a client uses for its `size-unit bytes` request (docs/protocol.md §5).
    public static let sizeUnitRequest: UInt64 = 10

    /// The id after `id`, wrapping from ``last`` (or from anything out of range) to ``first``.
    public static func after(_ id: UInt64) -> UInt64 {
        id < first || id >= last ? first : id + 1
    }
}
