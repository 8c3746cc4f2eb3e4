import Foundation
import Testing

/// `v7.notify_online` as the original's Perl zenki use it at start (they send
/// `v7.notify_online p7-log` and wait): answered at once when the zenka is online, else
/// deferred until it logs in; `notify_offline` likewise.
@Suite(.serialized) struct ManagerNotifyLiveTests {
    /// A stdio echo zenka that starts only when asked.
    static let later = ManagerZenka(name: "later", conf: """
        program = /bin/sh
        args = echo.sh
        mode = stdio
        start = manual
        stop-timeout = 1
        """, files: ["echo.sh": ManagerScripts.stdioEcho])

    @Test func notifyOnlineAnswersAtOnceOrWhenTheZenkaLogsIn() throws {
        let cube = try ManagerCube(zenki: [Self.later])
        let client = try cube.client()
        client.send("(101)v7.notify_online later\n")
        #expect(client.reply(id: 101, timeout: 0.5) == nil, "answered before the zenka was online")
        #expect(client.call("v7.start later")?.keyword == "TRUE")
        let online = client.reply(id: 101)
        #expect(online?.keyword == "TRUE")
        #expect(online?.text.hasPrefix("zenka 'later' is online [") == true)
        let again = client.call("v7.notify_online later")
        #expect(again?.text.hasPrefix("zenka 'later' already online., [") == true)
        client.send("(104)v7.notify_offline later\n")
        #expect(client.call("v7.stop later")?.keyword == "TRUE")
        #expect(client.reply(id: 104)?.text == "instance 'later' is terminated")
        #expect(client.call("v7.notify_offline later")?.text == "zenka later is not online.")
        #expect(cube.stop() == 0)
    }

    /// With `timeouts.route = 0` routes never time out, so a deferred notification waits for its
    /// event however long that takes (the manager used to forget it after 1 s, and its route
    /// stayed open, unanswered, for ever).
    @Test func withoutRouteTimeoutDeferredNotificationsWaitForTheirEvent() throws {
        let cube = try ManagerCube(zenki: [Self.later], extraConfiguration: "timeouts.route = 0")
        let client = try cube.client()
        // More than the manager checks for ended routes in one tick (1024), all still open.
        let burst = (1000...3047).map { "(\($0))v7.notify_online later\n" }.joined()
        client.send("(201)v7.notify_online later\n" + burst)
        // Several manager ticks and more than the old 1 s.
        #expect(client.reply(id: 201, timeout: 2.5) == nil, "answered before the zenka was online")
        #expect(client.call("v7.start later")?.keyword == "TRUE")
        let online = client.reply(id: 201)
        #expect(online?.text.hasPrefix("zenka 'later' is online [") == true, "\(String(describing: online))")
        let answered = (1000...3047).filter { client.reply(id: UInt64($0))?.text.hasPrefix("zenka 'later' is online [") == true }
        #expect(answered.count == 2048)
        client.send("(202)v7.notify_offline later\n")
        #expect(client.reply(id: 202, timeout: 2.5) == nil, "answered while the zenka was online")
        #expect(client.call("v7.stop later")?.keyword == "TRUE")
        #expect(client.reply(id: 202)?.text == "instance 'later' is terminated")
        // Nothing is left open.
        let routes = client.call("list routes")
        #expect(routes?.keyword == "SIZE" && routes?.body.contains("v7.") == false, "\(String(describing: routes))")
        #expect(cube.stop() == 0)
    }
}
