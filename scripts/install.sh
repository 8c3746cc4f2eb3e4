#!/usr/bin/env bash
# Installs or removes the built tools (`make install`, `make uninstall`; README.md).
#
#   scripts/install.sh install|uninstall
#
# Environment (the Makefile passes its variables): BUILT (directory holding the built cube,
# p7 and zenka; default .build/release), DESTDIR (staging root, default empty), PREFIX
# (/usr/local), BINDIR ($PREFIX/bin), MANDIR ($PREFIX/share/man), DATADIR ($PREFIX/share),
# SYSCONFDIR (/etc), UNITDIR ($PREFIX/lib/systemd/system).
#
# Layout: BINDIR/{cube,p7,zenka} (the manager runs the samples `program = @<sample>` with the
# zenka next to cube), MANDIR/man1/{cube,p7,zenka}.1, bash/zsh/fish completions of cube and
# zenka under DATADIR, configuration/ as SYSCONFDIR/protocol-7/ (an existing file is kept),
# UNITDIR/protocol-7.service. Uninstall removes all of it except configuration files that
# differ from the shipped ones.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILT=${BUILT:-$root/.build/release}
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
MANDIR=${MANDIR:-$PREFIX/share/man}
DATADIR=${DATADIR:-$PREFIX/share}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
tools=(cube p7 zenka)
completing=(cube zenka)  # p7 parses its command line by hand: no generated completion

bash_completion() { echo "$DESTDIR$DATADIR/bash-completion/completions/$1"; }
zsh_completion() { echo "$DESTDIR$DATADIR/zsh/site-functions/_$1"; }
fish_completion() { echo "$DESTDIR$DATADIR/fish/vendor_completions.d/$1.fish"; }

# The configuration files, relative to configuration/.
config_files() { (cd "$root/configuration" && find . -type f | sed 's|^\./||' | sort); }

install_all() {
    for tool in "${tools[@]}"; do
        [ -x "$BUILT/$tool" ] || { echo "install: $BUILT/$tool is not built (make release)" >&2; exit 1; }
    done
    install -d "$DESTDIR$BINDIR" "$DESTDIR$MANDIR/man1"
    for tool in "${tools[@]}"; do install -m 0755 "$BUILT/$tool" "$DESTDIR$BINDIR/$tool"; done

    "$root/scripts/generate-manuals.py" "$BUILT" "$DESTDIR$MANDIR/man1"
    chmod 0644 "$DESTDIR$MANDIR"/man1/{cube,p7,zenka}.1

    for tool in "${completing[@]}"; do
        for shell in bash zsh fish; do
            local file; file=$("${shell}_completion" "$tool")
            install -d "$(dirname "$file")"
            "$BUILT/$tool" --generate-completion-script "$shell" > "$file"
            chmod 0644 "$file"
        done
    done

    local etc="$DESTDIR$SYSCONFDIR/protocol-7"
    while read -r file; do
        install -d "$(dirname "$etc/$file")"
        if [ -e "$etc/$file" ]; then
            cmp -s "$root/configuration/$file" "$etc/$file" || echo "kept $etc/$file (differs from configuration/$file)"
        else
            # Scripts (hello.sh) stay executable.
            install -m "$([ -x "$root/configuration/$file" ] && echo 0755 || echo 0644)" "$root/configuration/$file" "$etc/$file"
        fi
    done < <(config_files)

    install -d "$DESTDIR$UNITDIR"
    sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" "$root/packaging/protocol-7.service.in" \
        > "$DESTDIR$UNITDIR/protocol-7.service"
    chmod 0644 "$DESTDIR$UNITDIR/protocol-7.service"
    echo "installed cube, p7, zenka in $DESTDIR$BINDIR; configuration in $etc; unit $DESTDIR$UNITDIR/protocol-7.service"
}

uninstall_all() {
    for tool in "${tools[@]}"; do rm -f "$DESTDIR$BINDIR/$tool" "$DESTDIR$MANDIR/man1/$tool.1"; done
    for tool in "${completing[@]}"; do
        rm -f "$(bash_completion "$tool")" "$(zsh_completion "$tool")" "$(fish_completion "$tool")"
    done
    rm -f "$DESTDIR$UNITDIR/protocol-7.service"
    local etc="$DESTDIR$SYSCONFDIR/protocol-7"
    while read -r file; do
        if [ -e "$etc/$file" ]; then
            if cmp -s "$root/configuration/$file" "$etc/$file"; then rm -f "$etc/$file"; else echo "kept $etc/$file (changed)"; fi
        fi
    done < <(config_files)
    # Directories left empty by the above, deepest first; anything the operator added stays.
    if [ -d "$etc" ]; then find "$etc" -depth -type d -empty -delete; fi
    echo "uninstalled from $DESTDIR$PREFIX"
}

case "${1:-}" in
    install) install_all ;;
    uninstall) uninstall_all ;;
    *) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
