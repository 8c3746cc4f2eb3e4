// p7: one-shot Protocol-7 client, a drop-in for the original C `p7`. See Usage.swift.
import CubeClient

let outcome: ExitStatus
switch Arguments.parse(Array(CommandLine.arguments.dropFirst())) {
case .help:
    StandardStream.output.write(Usage.text)
    outcome = .success
case .usageError(let message):
    StandardStream.error.write("p7: \(message)\n" + Usage.text)
    outcome = .usage
case .run(let invocation):
    outcome = OneShot(invocation: invocation).run()
}
outcome.exit()
