// Local commands that change session or cube state: select, set-initialized, session-key,
// ondemand-zenka, term-all.
extension Router {
    mutating func select(_ words: [String], caller: SessionID) -> (ReplyKeyword, String) {
        guard let target = words.first else { return (.falseReply, #"parameter syntax not valid [ user \ zenka \ sid ] .,"#) }
        guard words.count == 1 else { return (.falseReply, "multiple parameters are not supported yet") }
        let element = Array(target.utf8)
        guard Names.isTargetElement(element) else {
            return (.falseReply, #"parameter syntax not valid [ user \ zenka \ sid ] .,"#)
        }
        if Names.isSessionID(element) {
            guard let sid = UInt64(target), sessions[sid]?.isReachable == true else {
                return (.falseReply, "\(target) is no active session")
            }
        } else {
            let name = Names.splitSubname(element).map { String(decoding: $0.name, as: UTF8.self) } ?? target
            guard users.isPresent(name) || onDemand.contains(name) else { return (.falseReply, "no \(name) user is present") }
        }
        let base = sessions[caller]?.basePath.map { $0 + [UInt8(ascii: ".")] + element } ?? element
        sessions[caller]?.basePath = base
        let text = String(decoding: base, as: UTF8.self)
        return (.trueReply, "base_path now '\(text)', 'unselect' or '..' to reset,'..<cmd>' for parent")
    }

    /// `set-client-key <base32-key> <name> [days]`: the node signs a user's key (default 30 days).
    func setClientKey(_ words: [String], now: Timestamp) -> (ReplyKeyword, String) {
        guard let issuer = secureLogin as? any CertificateIssuer else { return (.falseReply, "this node has no identity key") }
        guard words.count == 2 || words.count == 3 else { return (.falseReply, "usage: set-client-key <key> <name> [days]") }
        let days = words.count == 3 ? Int64(words[2]) : 30
        guard let days, (1...3650).contains(days) else { return (.falseReply, "days must be 1...3650") }
        guard let certificate = issuer.issueCertificate(publicKey: words[0], name: words[1], expires: now.wall + days * 86_400)
        else { return (.falseReply, "invalid key or name") }
        return (.trueReply, certificate)
    }

    mutating func setInitialized(_ argument: String?, caller: SessionID) -> (ReplyKeyword, String) {
        let target = (argument == nil || argument == "0") ? caller : UInt64(argument ?? "")
        guard let target, let session = sessions[target], session.isActive else { return (.falseReply, "no such session") }
        guard session.kind == .zenka else { return (.falseReply, "session not in 'zenka' mode") }
        guard !session.initialized else { return (.falseReply, "was already initialized") }
        sessions[target]?.initialized = true
        return (.trueReply, "initialized")
    }

    mutating func sessionKey(_ words: [String], now: Timestamp) -> (ReplyKeyword, String) {
        guard words.count >= 2 else { return (.falseReply, "not enough arguments") }
        let element = Array(words[0].utf8)
        let name = Names.splitSubname(element).map { String(decoding: $0.name, as: UTF8.self) } ?? words[0]
        guard Names.isUserName(name.utf8),
              configuration.zenkaAnyName || configuration.users[name]?.zenka == true
        else { return (.falseReply, "user '\(name)' not accepted for auth type :zenka:") }
        registerZenkaKey(name: name, key: Array(words[1].utf8), now: now)
        return (.trueReply, "key added")
    }

    mutating func onDemandCommand(_ words: [String], now: Timestamp, actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard words.count == 2, Names.isUserName(words[1].utf8) else {
            return (.falseReply, "usage: ondemand-zenka add|del <name>")
        }
        let name = words[1]
        switch words[0] {
        case "add":
            registerOnDemand(name)
            return (.trueReply, "zenka registered [ id = \(onDemand.id(of: name) ?? 0) ]")
        case "del":
            guard let id = onDemand.id(of: name) else { return (.falseReply, "no such virtual zenka '\(name)'") }
            actions += unregisterOnDemand(name, now: now)
            return (.trueReply, "virtual zenka \(id) ['\(name)'] unregistered")
        default:
            return (.falseReply, "usage: ondemand-zenka add|del <name>")
        }
    }

    mutating func termAll(_ words: [String], command: Command, caller: SessionID, user: String, now: Timestamp,
                          actions: inout [RouterAction]) {
        guard let target = words.first else {
            actions.append(answer(caller, command.id, .falseReply, "not enough arguments"))
            return
        }
        let message = words.count > 1 ? words.dropFirst().joined(separator: " ") : "terminated by \(user)"
        var victims: [SessionID] = []
        if Names.isSessionID(target.utf8), let sid = UInt64(target), sessions[sid] != nil {
            victims = [sid]
        } else {
            victims = users.ids(of: target)
        }
        guard !victims.isEmpty else {
            actions.append(answer(caller, command.id, .falseReply, "no session matches '\(target)'"))
            return
        }
        let includesCaller = victims.contains(caller)
        let suffix = includesCaller ? ", yours included" : ""
        actions.append(answer(caller, command.id, .trueReply, "\(victims.count) session(s) terminated\(suffix)"))
        for victim in victims {
            actions.append(terminate(victim, message))
            close(victim, now: now, actions: &actions)
        }
    }
}
