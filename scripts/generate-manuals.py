#!/usr/bin/env python3
"""Writes the man pages of cube, zenka and p7 from the built executables (`make install`).

usage: scripts/generate-manuals.py BINDIR OUTDIR

cube and zenka are ArgumentParser commands: their definitions come from
`--experimental-dump-help` (ArgumentParser's ToolInfo JSON, the input of its own
generate-manual plugin), so the pages cannot drift from the options. p7 parses its command
line by hand; its page is built from `p7 --help`. One page per tool, section 1, every
subcommand in it."""
import json
import pathlib
import subprocess
import sys

SEE_ALSO = {"cube": ["p7", "zenka"], "zenka": ["cube", "p7"], "p7": ["cube", "zenka"]}


def roff(text):
    """Escapes text for a roff line: backslashes, and a leading '.' or "'" (a request)."""
    text = text.replace("\\", "\\e")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def option_names(argument):
    names = []
    for name in argument.get("names", []):
        prefix = "--" if name["kind"] == "long" else "-"
        if name["kind"] == "longWithSingleDash":
            prefix = "-"
        names.append("\\fB" + prefix.replace("-", "\\-") + roff(name["name"]).replace("-", "\\-") + "\\fR")
    return ", ".join(names)


def describe_arguments(arguments):
    out = []
    for argument in arguments:
        if not argument.get("shouldDisplay", True):
            continue
        value = argument.get("valueName", "value")
        if argument["kind"] == "positional":
            head = "\\fI<" + roff(value) + ">\\fR"
        elif argument["kind"] == "option":
            head = option_names(argument) + " \\fI<" + roff(value) + ">\\fR"
        else:
            head = option_names(argument)
        if argument.get("isRepeating"):
            head += " ..."
        text = argument.get("abstract", "")
        if argument.get("discussion"):
            text += " " + argument["discussion"]
        if argument.get("defaultValue") not in (None, ""):
            text += " (default: " + argument["defaultValue"] + ")"
        out += [".TP", head, roff(text.strip())]
    return out


def synopsis(command, path):
    words = ["\\fB" + roff(" ".join(path)) + "\\fR"]
    for argument in command.get("arguments", []):
        if not argument.get("shouldDisplay", True):
            continue
        value = argument.get("valueName", "value")
        if argument["kind"] == "positional":
            word = "\\fI<" + roff(value) + ">\\fR"
        else:
            name = argument.get("preferredName") or argument["names"][0]
            prefix = "--" if name["kind"] == "long" else "-"
            word = "\\fB" + prefix.replace("-", "\\-") + roff(name["name"]).replace("-", "\\-") + "\\fR"
            if argument["kind"] == "option":
                word += " \\fI<" + roff(value) + ">\\fR"
        if argument.get("isRepeating"):
            word += " ..."
        words.append(word if not argument.get("isOptional") else "[" + word + "]")
    if command.get("subcommands"):
        words.append("\\fI<subcommand>\\fR")
    return " ".join(words)


def header(tool, abstract):
    return [
        '.TH "%s" "1" "" "Protocol-7" "User Commands"' % tool.upper(),
        ".SH NAME",
        "%s \\- %s" % (tool, roff(abstract)),
    ]


def footer(tool):
    return [".SH SEE ALSO"] + [", ".join("\\fB%s\\fR(1)" % other for other in SEE_ALSO[tool])]


def argument_parser_page(tool, binary):
    info = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True,
                                     capture_output=True, text=True).stdout)
    command = info["command"]
    lines = header(tool, command.get("abstract", ""))
    lines += [".SH SYNOPSIS", synopsis(command, [tool])]
    if command.get("discussion"):
        lines += [".SH DESCRIPTION", roff(command["discussion"])]
    if any(a.get("shouldDisplay", True) for a in command.get("arguments", [])):
        lines += [".SH OPTIONS"] + describe_arguments(command["arguments"])
    subcommands = [s for s in command.get("subcommands", []) if s.get("shouldDisplay", True)]
    if subcommands:
        lines.append(".SH SUBCOMMANDS")
        default = command.get("defaultSubcommand")
        for sub in subcommands:
            name = sub["commandName"]
            if name == "help":
                continue
            title = "%s %s" % (tool, name) + (" (default)" if name == default else "")
            lines += [".SS " + roff(title), synopsis(sub, [tool, name]), ".PP", roff(sub.get("abstract", ""))]
            if sub.get("discussion"):
                lines += [".PP", roff(sub["discussion"])]
            lines += describe_arguments(sub.get("arguments", []))
    return lines + footer(tool)


def p7_page(binary):
    text = subprocess.run([binary, "--help"], check=True, capture_output=True, text=True).stdout
    usage, _, rest = text.partition("\n\n")
    lines = header("p7", "send one Protocol-7 command to a cube and print its reply")
    usage = [line.strip().removeprefix("usage: ") for line in usage.splitlines()]
    lines += [".SH SYNOPSIS", ".nf"] + [roff(line) for line in usage] + [".fi"]
    lines += [".SH DESCRIPTION", ".nf", roff(rest.rstrip()), ".fi"]
    return lines + footer("p7")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    bindir, outdir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    pages = {
        "cube": argument_parser_page("cube", str(bindir / "cube")),
        "zenka": argument_parser_page("zenka", str(bindir / "zenka")),
        "p7": p7_page(str(bindir / "p7")),
    }
    for tool, lines in pages.items():
        (outdir / (tool + ".1")).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
