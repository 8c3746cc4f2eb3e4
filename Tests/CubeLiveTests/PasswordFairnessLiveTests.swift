import CubeAuth
import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Password logins under a burst (docs/security.md, "Resource limits"): one uid fires 1,000
/// wrong `pwd` passwords at once while an honest `pwd` login comes from another uid. Both sides
/// are real processes (python3 children, the honest one under `setpriv` as another uid) on the
/// cube's real unix socket.
@Suite(.serialized, .enabled(if: getuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0, "needs root and setpriv"))
struct PasswordFairnessLiveTests {
    /// `attack PATH USER COUNT`: connects COUNT sessions at once, sends a wrong password on
    /// each, prints `sent`, then reads every answer to the end and prints the tally.
    /// `honest PATH USER PASSWORD ROUNDS`: logs in ROUNDS times one after the other and prints
    /// `ok <seconds>` (connect to answer) or `fail <bytes>` for each.
    static let logins = #"""
        import socket, sys, time
        def login(path, user, password):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            try:
                s.sendall(('select pwd\nauth %s %s\n' % (user, password)).encode())
            except OSError:
                pass
            return s
        def answer(s, done):
            s.settimeout(60)
            data = b''
            try:
                while not done(data):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            s.close()
            return data
        mode, path, user = sys.argv[1:4]
        if mode == 'attack':
            sockets = [login(path, user, 'wrong-%d' % i) for i in range(int(sys.argv[4]))]
            print('sent', flush=True)
            answers = [answer(s, lambda data: False) for s in sockets]
            refused = sum(b'AUTH_ERROR' in a for a in answers)
            throttled = sum(b'AUTH_ERROR' not in a and b'too many failed logins, try later' in a for a in answers)
            others = [a for a in answers if b'AUTH_ERROR' not in a and b'too many failed logins' not in a]
            print('refused %d throttled %d other %d %r' % (refused, throttled, len(others), others[:3]), flush=True)
        else:
            for _ in range(int(sys.argv[5])):
                start = time.monotonic()
                data = answer(login(path, user, sys.argv[4]), lambda data: b'AUTH_' in data or b'>:' in data)
                elapsed = time.monotonic() - start
                print(('ok %.4f' % elapsed) if b'AUTH_TRUE' in data else 'fail %r' % data, flush=True)
        """#

    @Test func anHonestLoginFromAnotherUidIsServedWhileOneUidFiresAThousandWrongPasswords() throws {
        let user = try MountUser.ensure()
        let hash = try PasswordHash.hash(Array("open sesame".utf8))
        let cube = try CubeProcess(extraConfiguration: "auth.setup.usr.honest = \(hash)")
        defer { cube.stop() }

        func honestLogins(_ rounds: Int) -> [Double] {
            let run = MountChild.python(Self.logins, ["honest", cube.socketPath, "honest", "open sesame", String(rounds)], asUser: user)
                .wait(timeout: 60)
            #expect(run.succeeded, "\(run)")
            #expect(run.lines.count == rounds && run.lines.allSatisfy { $0.hasPrefix("ok ") }, "\(run)")
            return run.lines.compactMap { Double($0.dropFirst(3)) }
        }

        let alone = honestLogins(1)
        let attack = MountChild.python(Self.logins, ["attack", cube.socketPath, "honest", "1000"])
        #expect(attack.waitForOutput("sent", timeout: 30), "the attacker did not get its passwords out: \(attack.outputSoFar)")
        let during = honestLogins(5)
        let tally = attack.wait(timeout: 90)
        #expect(tally.succeeded, "\(tally)")
        // Argon2 ran for at most `limits.login-failures` (20) of the 1,000: the rest were refused
        // before any check, at the credential line or at connect.
        #expect(tally.lines.last?.hasPrefix("refused 20 throttled 980 other 0 ") == true, "\(tally)")
        let worst = during.max() ?? .infinity
        // Generous bound (the goal is 1 s; the test machine may be busy).
        #expect(worst < 3, "an honest login took \(worst) s during the burst")
        print("pwd login alone: \(alone.map { String(format: "%.3f s", $0) }); during a 1,000-password burst from another uid: "
              + "\(during.map { String(format: "%.3f s", $0) }) (worst \(String(format: "%.3f s", worst))); attacker: \(tally.lines.last ?? "-")")
        // The attacker's uid is still throttled; the honest uid is not.
        #expect(honestLogins(1).count == 1)
    }
}
