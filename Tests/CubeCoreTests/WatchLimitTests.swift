import Testing

/// The watcher's rate bound (docs/protocol.md §8.4): past 200 lines in a second
/// the lines are dropped and counted, and the count is reported when the next second begins.
/// A generated transcript: 120 commands and 120 replies make 240 lines in one second.
@Suite struct WatchLimitTests {
    @Test func linesPastTheRateAreDroppedAndReported() throws {
        var text = """
            connect W unix root
            W< \\\\\\\\PROTOCOL-7-VERSION\\\\\\\\NZXZDSA\\\\\\\\\\n
            W> select unix\\nauth unix-root\\n
            W< TRUE continue\\nAUTH_TRUE =)\\n
            connect A unix root
            A< \\\\\\\\PROTOCOL-7-VERSION\\\\\\\\NZXZDSA\\\\\\\\\\n
            A> select unix\\nauth unix-root\\n
            A< TRUE continue\\nAUTH_TRUE =)\\n
            A> whoami\\n
            A< TRUE unix-root $sidA\\n
            connect B unix taeki
            B< \\\\\\\\PROTOCOL-7-VERSION\\\\\\\\NZXZDSA\\\\\\\\\\n
            B> select unix\\nauth taeki\\n
            B< TRUE continue\\nAUTH_TRUE =)\\n
            B> whoami\\n
            B< TRUE taeki $sidB\\n
            W> (5)watch taeki.*\\n
            W< (5)WAIT watching 'taeki.*', at most 200 lines/s; 'unwatch' ends it\\n

            """
        for index in 1...120 {
            text += "A> (\(1000 + index))taeki.work\\n\n"
            text += "B< ($t\(index))work\\n\n"
            text += "W< (5)STRM 58\\ncmd unix-root/$sidA > taeki/$sidB ($t\(index)) taeki.work\\n\n"
        }
        for index in 1...120 {
            text += "B> ($t\(index))TRUE ok\\n\n"
            text += "A< (\(1000 + index))TRUE ok\\n\n"
            // Lines 121–200 are sent; the 40 after them are dropped.
            text += index <= 80
                ? "W< (5)STRM 55\\nrpl taeki/$sidB > unix-root/$sidA ($t\(index)) TRUE ok\\n\n"
                : "W< nothing\n"
        }
        text += """
            advance 0.5
            tick
            W< nothing
            advance 0.5
            tick
            W< (5)STRM 45\\n... 40 lines dropped (more than 200 lines/s)\\n
            A> (2000)taeki.again\\n
            B< ($tx)again\\n
            W< (5)STRM 59\\ncmd unix-root/$sidA > taeki/$sidB ($tx) taeki.again\\n
            W> (6)unwatch\\n
            W< (5)TRUE watch ended: 201 lines shown, 40 dropped\\n(6)TRUE unwatched\\n

            """
        var runner = try TranscriptRunner(Transcript(name: "watch-limit (generated)", text: text))
        try runner.run(text)
        runner.finish()
    }
}
