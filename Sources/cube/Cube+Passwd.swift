import ArgumentParser
import CubeAuth
import CubeCore
import Foundation

extension Cube {
    /// Prints an `auth.setup.usr.NAME` entry with an Argon2id hash of a password.
    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hash a password for method pwd and print the configuration entry.",
            discussion: "Reads the password from standard input (one line), or asks for it on a terminal.")

        @Argument(help: "The user name the entry is for.")
        var user: String

        func validate() throws {
            guard Names.isUserName(user.utf8) else { throw ValidationError("'\(user)' is not a valid user name") }
        }

        func run() throws {
            var password: [UInt8]
            if isatty(STDIN_FILENO) == 1, let prompt = getpass("password for \(user): ") {
                password = Array(String(cString: prompt).utf8)
            } else {
                password = Array((readLine(strippingNewline: true) ?? "").utf8)
            }
            defer { Memory.wipe(&password) }
            guard !password.isEmpty else { throw CommandFailure("empty password: nothing was hashed") }
            print("auth.setup.usr.\(user) = \(try PasswordHash.hash(password))")
        }
    }

    /// Reads the configuration and reports problems without starting anything.
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config", abstract: "Validate the configuration and print unknown keys.")

        @OptionGroup var options: ConfigurationOptions

        func run() throws {
            let loaded = try options.load()
            for warning in loaded.configuration.warnings { print("warning: \(warning)") }
            print("\(loaded.source): ok, node '\(loaded.configuration.nodeName)', socket \(loaded.configuration.unixSocketPath)")
        }
    }
}
