import Foundation
import Testing

/// `v7.notify_online` as the original's Perl zenki use it at start (they send
/// `v7.notify_online p7-log` and wait): answered at once when the zenka is online, else
/// deferred until it logs in; `notify_offline` likewise.
@Suite(.serialized) struct ManagerNotifyLiveTests {
    @Test func notifyOnlineAnswersAtOnceOrWhenTheZenkaLogsIn() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "later", conf: """
                program = /bin/sh
                args = echo.sh
                mode = stdio
                start = manual
                stop-timeout = 1
                """, files: ["echo.sh": ManagerScripts.stdioEcho]),
        ])
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
}
