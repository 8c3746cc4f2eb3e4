#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLineEdit

/// Line editing, history and `TAB` completion for the terminal, through libedit's readline
/// interface (Emacs keys by default; `~/.editrc` applies as in other libedit programs).
///
/// libedit keeps its state in globals and calls completion back through a C function pointer,
/// so there is one editor per process; p7 is single-threaded and libedit calls back on the
/// thread inside ``readLine(prompt:)``.
final class LineEditor {
    /// Lines of history kept, in memory and in the file.
    static let historyLimit: Int32 = 1000

    private let historyPath: String?

    /// - Parameters:
    ///   - historyPath: where history is loaded from and saved to; nil keeps none.
    ///   - complete: the completions of the first word of the line, given as typed.
    init(historyPath: String?, complete: @escaping (String) -> [String]) {
        self.historyPath = historyPath
        completionHandler = complete
        // SIGINT stays p7's own (Interrupt): libedit's handler would re-raise it to the whole
        // process group. "p7" names the section of `~/.editrc`; libedit keeps the pointer.
        p7_rl_configure(UnsafePointer(strdup("p7")), { text, start, _ in
            // Only the command word is completed; arguments belong to the command.
            p7_rl_completion_done(0x20)
            guard let text, start >= 0, let line = p7_rl_line_buffer() else { return nil }
            let before = UnsafeBufferPointer(start: UnsafeRawPointer(line).assumingMemoryBound(to: UInt8.self),
                                             count: Int(start))
            guard before.allSatisfy({ $0 == 0x20 || $0 == 0x09 }), let handler = completionHandler else { return nil }
            let matches = handler(String(cString: text))
            guard !matches.isEmpty else { return nil }
            // A target completes to `name.`, waiting for its command; a whole command gets a space.
            let single = matches.count == 1
            if single && matches[0].hasSuffix(".") { p7_rl_completion_done(0) }
            return LineEditor.matchArray(single ? [matches[0], matches[0]] : [Completer.commonPrefix(matches)] + matches)
        }, { _ in
            // One byte of input. libedit retries a read that a signal interrupted and would sit
            // there after Ctrl-C; ending the line (EOF, -1) lets ``readLine(prompt:)`` return and
            // the caller see the interrupt.
            var byte: UInt8 = 0
            while true {
                let count = read(0, &byte, 1)
                if count == 1 { return Int32(byte) }
                if count < 0 && errno == EINTR && !Interrupt.isPending { continue }
                return -1
            }
        })
        rl_initialize()
        using_history()
        stifle_history(Self.historyLimit)
        if let historyPath { _ = read_history(historyPath) }
    }

    /// Reads one line; nil at end of input (Ctrl-D) or when Ctrl-C interrupted the read
    /// (``Interrupt/take()`` tells which).
    func readLine(prompt: String) -> String? {
        guard let line = readline(prompt) else { return nil }
        defer { free(line) }
        return String(cString: line)
    }

    /// Adds `line` to the history.
    func remember(_ line: String) {
        _ = add_history(line)
    }

    /// Writes the history file (its directory is made if missing).
    func save() {
        guard let historyPath else { return }
        try? SecureLogin.makeParentDirectory(of: historyPath)
        _ = write_history(historyPath)
    }

    /// `$HOME/.config/protocol-7/p7-history`.
    static func defaultHistoryPath() -> String {
        let knownNodes = SecureLogin.defaultKnownNodesPath()
        let directory = knownNodes.lastIndex(of: "/").map { String(knownNodes[...$0]) } ?? "./"
        return directory + "p7-history"
    }

    /// A NULL-terminated array of `malloc`ed strings, as libedit expects (it frees them).
    private static func matchArray(_ words: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        let size = MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (words.count + 1)
        guard let memory = malloc(size) else { return nil }
        let array = memory.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: words.count + 1)
        for (index, word) in words.enumerated() { array[index] = strdup(word) }
        array[words.count] = nil
        return array
    }
}

/// The completion callback of the one ``LineEditor``; libedit's C callback cannot capture it.
nonisolated(unsafe) private var completionHandler: ((String) -> [String])?
