extension ZenkaDefinition {
    /// A circle of `depends` among `zenki`, as the names along it with the first repeated at
    /// the end (`["a", "b", "a"]`, `["a", "a"]` for a zenka that depends on itself), or nil.
    ///
    /// The manager starts a zenka's configured dependencies before it (docs/zenki.md): along a
    /// circle it would never get to start anything (it recursed until the stack ran out, and
    /// the cube died at start or on the reload that brought the circle in). A dependency that
    /// is not configured here (a zenka started some other way) ends a path: it is only waited
    /// for.
    package static func dependencyCycle(in zenki: [String: ZenkaDefinition]) -> [String]? {
        // Depth first, in name order so the same configuration always names the same circle.
        var done: Set<String> = []
        for start in zenki.keys.sorted() where !done.contains(start) {
            var path: [String] = []
            var onPath: Set<String> = []
            var stack: [(name: String, next: Int)] = [(start, 0)]
            path.append(start)
            onPath.insert(start)
            while let top = stack.last {
                let dependencies = zenki[top.name]?.dependencies ?? []
                guard top.next < dependencies.count else {
                    stack.removeLast()
                    path.removeLast()
                    onPath.remove(top.name)
                    done.insert(top.name)
                    continue
                }
                stack[stack.count - 1].next += 1
                let dependency = dependencies[top.next]
                if onPath.contains(dependency) {
                    guard let from = path.firstIndex(of: dependency) else { continue }
                    return Array(path[from...]) + [dependency]
                }
                guard zenki[dependency] != nil, !done.contains(dependency) else { continue }
                stack.append((dependency, 0))
                path.append(dependency)
                onPath.insert(dependency)
            }
        }
        return nil
    }
}
