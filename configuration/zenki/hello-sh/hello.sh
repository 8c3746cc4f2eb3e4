#!/bin/sh
# A complete stdio zenka: commands arrive as `(<tid>)<command> <args>` lines on stdin,
# replies go to stdout as `(<tid>)TRUE <text>` or `(<tid>)FALSE <text>`.
while IFS= read -r line; do
    id=${line%%)*}; id=${id#(}
    rest=${line#*)}; command=${rest%% *}; args=${rest#"$command"}; args=${args# }
    case "$command" in
        heart) echo "($id)TRUE beating" ;;
        hello) echo "($id)TRUE hello ${args:-world}, from a shell zenka" ;;
        date)  echo "($id)TRUE $(date -u +%Y-%m-%dT%H:%M:%SZ)" ;;
        *)     echo "($id)FALSE command does not exist" ;;
    esac
done
