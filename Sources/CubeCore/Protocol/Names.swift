/// Validators for the names of docs/protocol.md §3 and §4 (user names, session ids, subnames, commands).
package enum Names {
    /// A user or zenka name: `[0-9A-Za-z][0-9A-Za-z_-]{0,16}`.
    package static func isUserName(_ name: some Collection<UInt8>) -> Bool {
        guard let first = name.first, Bytes.isAlnum(first), name.count <= 17 else { return false }
        return name.allSatisfy { Bytes.isAlnum($0) || $0 == 0x2D || $0 == 0x5F }
    }

    /// A subname: `[0-9A-Za-z+.:_-]{1,17}`.
    package static func isSubname(_ name: some Collection<UInt8>) -> Bool {
        guard (1...17).contains(name.count) else { return false }
        return name.allSatisfy { Bytes.isAlnum($0) || $0 == 0x2B || $0 == 0x2E || $0 == 0x3A || $0 == 0x5F || $0 == 0x2D }
    }

    /// A session id as a target: 3–17 digits.
    package static func isSessionID(_ text: some Collection<UInt8>) -> Bool {
        (3...17).contains(text.count) && text.allSatisfy(Bytes.isDigit)
    }

    /// A local command name: `[a-z][0-9A-Za-z_-]{1,22}`.
    package static func isCommandName(_ name: some Collection<UInt8>) -> Bool {
        guard let first = name.first, Bytes.isLower(first), (2...23).contains(name.count) else { return false }
        return name.allSatisfy { Bytes.isAlnum($0) || $0 == 0x2D || $0 == 0x5F }
    }

    /// An authentication method name for `select`: `[a-zA-Z][0-9A-Za-z_-]{1,16}`.
    package static func isMethodName(_ name: some Collection<UInt8>) -> Bool {
        guard let first = name.first, Bytes.isLower(first) || Bytes.isUpper(first), (2...17).contains(name.count)
        else { return false }
        return name.allSatisfy { Bytes.isAlnum($0) || $0 == 0x2D || $0 == 0x5F }
    }

    /// Splits `name[sub]` into its parts; nil if `element` has another shape.
    package static func splitSubname(_ element: some Collection<UInt8>) -> (name: [UInt8], sub: [UInt8])? {
        splitSubname(Array(element))
    }

    /// Splits `name[sub]` into its parts; nil if `element` has another shape.
    package static func splitSubname(_ element: [UInt8]) -> (name: [UInt8], sub: [UInt8])? {
        guard element.last == UInt8(ascii: "]"), let open = element.firstIndex(of: UInt8(ascii: "[")) else { return nil }
        let name = Array(element[..<open])
        let sub = Array(element[(open + 1)..<(element.count - 1)])
        guard isSubname(name), isSubname(sub) else { return nil }
        return (name, sub)
    }

    /// A path element that may address a target: a session id, a name, or `name[sub]`.
    package static func isTargetElement(_ element: some Collection<UInt8>) -> Bool {
        isSessionID(element) || isUserName(element) || (element.contains(UInt8(ascii: "[")) && splitSubname(element) != nil)
    }
}
