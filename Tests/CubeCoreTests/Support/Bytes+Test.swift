/// Shorthand for byte arrays in unit tests.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
