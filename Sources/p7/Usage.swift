/// p7's help text.
enum Usage {
    static let text = """
        usage: p7 [--socket PATH] <command> [args...]

        Sends one Protocol-7 command to the cube and prints its reply.

          --socket PATH, -s PATH  the cube's unix socket (default: $PROTOCOL_7_UNIX_PATH,
                                  else /run/protocol-7/cube.sock)
          -h, --help              show this help

        Logs in as unix-$PROTOCOL_7_BIN_P7_USER (else unix-$USER, unix-$LOGNAME, unix-root).
        TRUE/FALSE/GET/TERM text goes to stdout, SIZE and STRM bodies as raw bytes,
        WAIT notices to stderr.

        exit status: 0 TRUE, 1 FALSE, 2 usage error, 3 cannot connect or log in,
                     4 connection closed or protocol error before the final reply

        """
}
