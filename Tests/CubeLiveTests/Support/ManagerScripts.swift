import Foundation

/// Small zenki for the manager's live tests: shell scripts (stdio or plain children) and
/// python3 zenki that log in themselves with the key from their environment.
enum ManagerScripts {
    static let python = "/usr/bin/python3"

    /// A stdio zenka that answers nothing and takes `seconds` to end after SIGTERM.
    static func stopsAfter(_ seconds: String) -> String {
        "#!/bin/sh\ntrap 'sleep \(seconds); exit 0' TERM\nwhile :; do sleep 0.05; done\n"
    }

    /// A stdio zenka: `echo <text>`, `pid`, `heart`, `sleep <seconds>` (answers its pid
    /// after them); says `started <pid>` on stderr.
    static let stdioEcho = #"""
    #!/bin/sh
    echo "started $$" >&2
    while IFS= read -r line; do
        id=${line%%)*}; id=${id#(}
        rest=${line#*)}; command=${rest%% *}; args=${rest#"$command"}; args=${args# }
        case "$command" in
            heart) echo "($id)TRUE beating" ;;
            echo)  echo "($id)TRUE $args" ;;
            pid)   echo "($id)TRUE $$" ;;
            sleep) sleep "$args"; echo "($id)TRUE $$" ;;
            sockets) n=$(for f in /proc/$$/fd/*; do readlink "$f"; done | grep -c socket); echo "($id)TRUE $n" ;;
            *)     echo "($id)FALSE command does not exist" ;;
        esac
    done
    """#

    /// Exits 1 at once; appends a high-resolution start time to `starts.txt` in its directory.
    static let crashAtStart = #"""
    #!/bin/sh
    date +%s.%N >> starts.txt
    echo "crashing on purpose"
    exit 1
    """#

    /// Never logs in and never reads: a stdio zenka that hangs.
    static let hang = #"""
    #!/bin/sh
    echo $$ >> pids.txt
    exec sleep 1000
    """#

    /// Ignores SIGTERM; starts a grandchild `sleep 1000` in its process group and records
    /// both pids.
    static let ignoreTerm = #"""
    #!/bin/sh
    trap '' TERM
    sleep 1000 &
    echo $! > grandchild.pid
    echo $$ > main.pid
    while :; do sleep 0.2; done
    """#

    /// Dies on SIGTERM itself, but starts a helper `sleep 1000` in its process group that
    /// ignores SIGTERM, and records both pids.
    static let helperIgnoringTerm = #"""
    #!/bin/sh
    sh -c 'trap "" TERM; echo $$ > helper.pid.new; exec sleep 1000' &
    # The helper writes its pid once its trap is set: a SIGTERM before that would end it.
    while [ ! -e helper.pid.new ]; do sleep 0.01; done
    mv helper.pid.new helper.pid
    echo $$ > main.pid
    while :; do sleep 0.2; done
    """#

    /// A helper that takes 1 s to finish after SIGTERM (writes `helper.done`), and a main
    /// process that ends by itself at once, leaving it behind.
    static let slowHelperLeftBehind = #"""
    #!/bin/sh
    sh -c 'trap "sleep 1; echo done > helper.done; exit 0" TERM; echo $$ > helper.pid.new; while :; do sleep 0.1; done' &
    while [ ! -e helper.pid.new ]; do sleep 0.01; done
    mv helper.pid.new helper.pid
    echo $$ > main.pid
    sleep 0.3
    """#

    /// Writes a log line in two separate writes 200 ms apart, then waits.
    static let splitLine = #"""
    #!/bin/sh
    printf 'split-line-first-half-' >&2
    sleep 0.2
    printf 'second-half\n' >&2
    exec sleep 1000
    """#

    /// Login and line reading shared by the python zenki (method zenka with the key from the
    /// environment, exactly as docs/protocol.md §3.3 shows).
    static let pythonPrelude = #"""
    import os, socket, sys
    def login(name=None, key=None):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(os.environ['PROTOCOL_7_UNIX_PATH'])
        buf = b''
        while len(buf) < 32:
            data = s.recv(64)
            if not data:
                sys.exit(2)
            buf += data
        buf = buf[32:]
        name = name or os.environ['PROTOCOL_7_ZENKA_NAME']
        key = key or os.environ['PROTOCOL_7_ZENKA_KEY']
        s.sendall(('select zenka\n%s %s\n' % (name, key)).encode())
        while b'AUTH_TRUE =)\n' not in buf:
            data = s.recv(4096)
            if not data:
                sys.exit(3)
            buf += data
        return s, buf.split(b'AUTH_TRUE =)\n', 1)[1]
    def lines(s, buf):
        while True:
            while b'\n' not in buf:
                data = s.recv(65536)
                if not data:
                    return
                buf += data
            line, buf = buf.split(b'\n', 1)
            yield line.decode()
    def split(line):
        if not line.startswith('('):
            return None, line
        close = line.index(')')
        return line[1:close], line[close + 1:]

    """#

    /// Logs in, answers `ping` with `TRUE pong`, and ignores everything else (`heart` too).
    static let silent = pythonPrelude + #"""
    s, buf = login()
    for line in lines(s, buf):
        tid, command = split(line)
        if tid and command.startswith('ping'):
            s.sendall(('(%s)TRUE pong\n' % tid).encode())
    """#

    /// Writes what the manager gave it to `env.txt` (key=value lines), logs in and answers
    /// `heart` and `whereami`.
    static let environmentReport = pythonPrelude + #"""
    keyfile = os.environ.get('PROTOCOL_7_ZENKA_KEY_FILE', '')
    try:
        mode = '%o' % (os.stat(keyfile).st_mode & 0o777)
        filekey = open(keyfile).read().strip()
    except OSError:
        mode, filekey = '-', ''
    with open('env.txt.tmp', 'w') as out:
        for name in ['PROTOCOL_7_UNIX_PATH', 'PROTOCOL_7_ZENKA_NAME', 'PROTOCOL_7_ZENKA_KEY',
                     'PROTOCOL_7_ZENKA_KEY_FILE', 'PROTOCOL_7_INSTANCE', 'ZENKA_TEST_VARIABLE']:
            out.write('%s=%s\n' % (name, os.environ.get(name, '')))
        out.write('cwd=%s\nkeyfile.mode=%s\nkeyfile.key=%s\npid=%d\npgid=%d\nsid=%d\n' % (
            os.getcwd(), mode, filekey, os.getpid(), os.getpgid(0), os.getsid(0)))
    os.rename('env.txt.tmp', 'env.txt')
    s, buf = login()
    for line in lines(s, buf):
        tid, command = split(line)
        if tid is None:
            continue
        if command.startswith('heart'):
            s.sendall(('(%s)TRUE beating\n' % tid).encode())
        elif command.startswith('whereami'):
            s.sendall(('(%s)TRUE %s\n' % (tid, os.getcwd())).encode())
        else:
            s.sendall(('(%s)FALSE command does not exist\n' % tid).encode())
    """#

    /// A resource provider: offers `storage 100`, writes the offer id to `offer.id`, grants
    /// every `lease-request`, answers `heart`, and appends notices (`lease-end ...`) to
    /// `notices.txt`.
    static let provider = pythonPrelude + #"""
    s, buf = login()
    s.sendall(b'(1)offer storage 100 price=0\n')
    for line in lines(s, buf):
        tid, command = split(line)
        if tid is None:
            with open('notices.txt', 'a') as out:
                out.write(command + '\n')
            continue
        if tid == '1' and command.startswith('TRUE offer '):
            with open('offer.id.tmp', 'w') as out:
                out.write(command.split()[2])
            os.rename('offer.id.tmp', 'offer.id')
        elif command.startswith('lease-request'):
            with open('requests.txt', 'a') as out:
                out.write(command + '\n')
            s.sendall(('(%s)TRUE granted\n' % tid).encode())
        elif command.startswith('heart'):
            s.sendall(('(%s)TRUE beating\n' % tid).encode())
    """#
}
