import ArgumentParser

/// How `cube run` writes its log records to stderr.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}
