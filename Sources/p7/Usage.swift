/// p7's help text.
enum Usage {
    static let text = """
        usage: p7 [--socket PATH] <command> [args...]
               p7 --connect tcp:HOST:PORT --key FILE [--cert FILE] [--known-nodes FILE] [--pin]
                 [--retired-grace SECONDS] <command> [args...]
               p7 [--socket PATH | --connect ADDR] --callout USER <command> [args...]
               p7 [options] [shell]                                  the interactive terminal
               p7 [options] top [--once] [--interval SECONDS]        a live view of the cube
               p7 [options] watch <pattern>                          routed traffic matching a pattern

        Sends one Protocol-7 command to the cube and prints its reply. Without a command, opens
        an interactive terminal: line editing, history (~/.config/protocol-7/p7-history), TAB
        completes targets and their commands, Ctrl-C abandons a waiting command, Ctrl-D leaves.
        `top` redraws sessions, zenki with their rates and links every interval (Ctrl-C quits;
        needs the commands stats, list, links); `watch` prints routed commands and replies
        whose path matches the pattern until Ctrl-C (needs the command watch). See docs/p7.md.

          --socket PATH, -s PATH    the cube's unix socket (default: $PROTOCOL_7_UNIX_PATH,
                                    else /run/protocol-7/cube.sock)
          --connect ADDR, -c ADDR   connect to tcp:HOST:PORT (IPv6: tcp:[ADDR]:PORT) or
                                    unix:PATH instead; TCP needs --key or --callout
          --key FILE, -k FILE       log in with c25519 (encrypted) using this identity key
                                    (made by `cube keygen --out FILE`, mode 0600); its public
                                    key must be in the cube's authorized-keys file, or
                                    certified with --cert
          --cert FILE               a key certificate for --key (from `set-client-key` or
                                    `cube cert sign`): logs in as the certified name
          --known-nodes FILE        pinned node keys, lines '<node> <public-key>'
                                    (default: ~/.config/protocol-7/known-nodes); the node is
                                    named by its address as given, e.g. tcp:10.0.0.5:7070
          --pin                     trust the key of a node not in the known-nodes file yet
                                    and record it there (without it such a node is refused);
                                    a node whose key changed is always refused
          --retired-grace SECONDS   after following a node's signed key rotation, still
                                    accept its retired key this long after the rotation
                                    (default 86400, one day, as the nodes' default; 0 to
                                    2592000)
          --callout USER            log in as USER with the cube's callout checker; the
                                    credential is read from $P7_CREDENTIAL (never from the
                                    command line); sent in clear, like a password
          -V, --version             print p7's version
          -h, --help                show this help

        Without --key, logs in as unix-$PROTOCOL_7_BIN_P7_USER (else unix-$USER, unix-$LOGNAME,
        unix-root). TRUE/FALSE/GET/TERM text goes to stdout, SIZE and STRM bodies as raw bytes,
        WAIT notices to stderr.

        exit status: 0 TRUE, 1 FALSE, 2 usage error, 3 cannot connect or log in (also an
                     unknown node or a changed node key), 4 connection closed or protocol
                     error before the final reply

        """
}
