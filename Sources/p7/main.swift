// p7: one-shot Protocol-7 client, a drop-in for the original C `p7`. See Usage.swift.
import CubeClient
import enum CubeCore.SoftwareVersion

let outcome: ExitStatus
switch Arguments.parse(Array(CommandLine.arguments.dropFirst())) {
case .help:
    StandardStream.output.write(Usage.text)
    outcome = .success
case .version:
    StandardStream.output.write(SoftwareVersion.line(tool: "p7") + "\n")
    outcome = .success
case .usageError(let message):
    StandardStream.error.write("p7: \(message)\n" + Usage.text)
    outcome = .usage
case .run(let invocation):
    outcome = OneShot(invocation: invocation).run()
case .shell(let invocation):
    outcome = Shell(invocation: invocation).run()
case .top(let invocation, let once, let interval):
    outcome = Top(invocation: invocation, once: once, interval: interval).run()
case .watch(let invocation, let pattern):
    outcome = Watch(invocation: invocation, pattern: pattern).run()
}
outcome.exit()
