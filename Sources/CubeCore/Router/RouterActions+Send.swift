extension Array where Element == RouterAction {
    /// Renders a message for session `id` straight into the router's output: appended to the
    /// bytes of the last action when that is already a send to `id`, else as a new send.
    ///
    /// A pipelined burst of 64 commands thus becomes one send to its target, rendered into one
    /// array, instead of 64 arrays that the owner joined again (docs/performance.md "Router
    /// CPU per pipelined request"). Only a run of sends to one session is joined: anything in
    /// between (a close, an event) keeps its place, so the owner sees the same order.
    ///
    /// Always inlined: called, it took `render` as a closure whose context held copies of
    /// what the closure reads (the command or reply being rendered), two retains and two
    /// releases per request (docs/performance.md "Router CPU per pipelined request").
    /// - Returns: the bytes `render` wrote.
    @discardableResult @inline(__always)
    mutating func send(to id: SessionID, _ render: (inout [UInt8]) -> Void) -> Int {
        if let last = indices.last, case .send(id, _) = self[last] {
            // The action is moved out (swapped with a placeholder), not copied: the array it
            // holds stays uniquely referenced, so appending neither copies it nor retains it.
            // The placeholder is an empty send, harmless should the guard below ever fail (it
            // cannot: the case was just checked).
            var taken = RouterAction.send(id, [])
            swap(&taken, &self[last])
            guard case .send(_, var bytes) = consume taken else { return 0 }
            let before = bytes.count
            render(&bytes)
            self[last] = .send(id, bytes)
            return bytes.count - before
        }
        var bytes: [UInt8] = []
        render(&bytes)
        append(.send(id, bytes))
        return bytes.count
    }
}
