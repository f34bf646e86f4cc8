"""``completion bash|zsh|fish``: a shell completion script, generated from the argparse parser.

The scripts are written from ``build_parser()`` itself (commands, options, choices, positionals), so a
new option completes without anyone touching this file. What a value means is read from the argument's
``dest`` (``VALUE_KINDS``): dimension names for ``--rows``/``--cols``, ``DIM=`` keys for ``--where`` and
``--exclude``, folders and files for ``--data-dir``/``--db``, and the store's connection and workspace
names and its virtual tags, which the scripts ask for at each TAB with the hidden
``__complete connections|workspaces|tags``.

``__complete`` reads an existing store only: where there is none it prints nothing and exits 0, it
never creates a store or a folder, and it never prints an error into someone's shell.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROG = "openai-cost-tui"
FUNC = "_openai_cost_tui"  # the shell functions' prefix
SHELLS = ("bash", "zsh", "fish")
HIDDEN = "__complete"
NAME_KINDS = ("connections", "workspaces", "tags")

# What an argument's value is, by its dest. Anything else with choices completes them; the rest is free text.
VALUE_KINDS = {
    "rows": "dim_list",  # DIM[,DIM]
    "cols": "dims",
    "where": "dim_keys",  # DIM=VALUE
    "exclude": "dim_keys",
    "connection": "connections",  # --connection NAME_OR_ID, connections remove NAME_OR_ID
    "connections": "connections",  # workspaces assign NAME CONNECTION...
    "workspace": "workspaces",
    "tag": "tags",  # tags add|show|remove TAG
    "tags": "tags",  # tags export TAG...
    "data_dir": "dirs",
    "db": "files",
}
# Positionals named ``name`` that are an existing workspace (``workspaces add NAME`` is a new one).
EXISTING_NAME = {("workspaces", "remove"), ("workspaces", "rename"), ("workspaces", "assign"),
                 ("workspaces", "unassign")}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "completion", help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for your shell. Commands, options, dimension names and the "
                    "store's connection and workspace names complete with TAB.",
        epilog=f"bash: add  eval \"$({PROG} completion bash)\"  to ~/.bashrc\n"
               f"zsh:  add  eval \"$({PROG} completion zsh)\"  to ~/.zshrc (after compinit)\n"
               f"fish: {PROG} completion fish > ~/.config/fish/completions/{PROG}.fish",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shell", choices=SHELLS)
    parser.set_defaults(handler=cmd_completion)

    hidden = commands.add_parser(HIDDEN)  # no help=: not listed in --help, nor offered by the scripts
    hidden.add_argument("what", choices=NAME_KINDS)
    hidden.set_defaults(handler=cmd_complete)


def cmd_completion(args: argparse.Namespace) -> int:
    from .main import build_parser

    print(script(args.shell, build_parser()), end="")
    return 0


def cmd_complete(args: argparse.Namespace) -> int:
    """One name a line from an existing store; silence and exit 0 in every other case."""
    try:
        for name in names(args.what, data_dir=args.data_dir, db=args.db):
            print(name)
    except Exception:  # noqa: BLE001 S110 - a completion never prints an error into the shell
        pass
    return 0


def names(what: str, *, data_dir: str | None, db: str | None) -> list[str]:
    from ..config.paths import data_dir as resolve_data_dir
    from ..config.paths import default_db
    from ..services.context import open_context
    from ..store.db import is_postgres_url

    if db is None or not is_postgres_url(db.strip()):
        path = Path(db.strip() if db else default_db(resolve_data_dir(data_dir))).expanduser()
        if not path.is_file() or path.stat().st_size == 0:
            return []  # no store: nothing to offer, and nothing is created
    with open_context(folder=data_dir, db=db, need="read") as ctx:
        if what == "connections":
            found = [c.description for c in ctx.store.connections()]
        elif what == "tags":
            found = [t.name for t in ctx.store.tags().tags]
        else:
            found = [w.name for w in ctx.store.workspaces()]
    return [n for n in found if n and "\n" not in n]


# -- the parser as data --------------------------------------------------------------------------


@dataclass
class Option:
    flags: tuple[str, ...]
    help: str
    takes_value: bool
    kind: str | None  # a VALUE_KINDS value, "choices" or None (free text)
    choices: tuple[str, ...] = ()
    metavar: str = ""
    repeat: bool = False


@dataclass
class Positional:
    name: str
    kind: str | None
    choices: tuple[str, ...] = ()
    repeat: bool = False


@dataclass
class Command:
    path: tuple[str, ...]
    help: str = ""
    options: list[Option] = field(default_factory=list)
    positionals: list[Positional] = field(default_factory=list)
    subcommands: list[Command] = field(default_factory=list)

    def walk(self) -> Iterable[Command]:
        yield self
        for sub in self.subcommands:
            yield from sub.walk()


def model(parser: argparse.ArgumentParser, path: tuple[str, ...] = (), help: str = "") -> Command:
    command = Command(path, _first_clause(help))
    for action in parser._actions:  # argparse has no public way to list them; shtab and argcomplete read these
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:  # only the subcommands added with help=
                sub = action.choices[choice.dest]
                command.subcommands.append(model(sub, (*path, choice.dest), choice.help or ""))
        elif action.option_strings:
            if action.help == argparse.SUPPRESS:
                continue
            takes = action.nargs != 0
            choices = tuple(str(c) for c in action.choices or ())
            kind = VALUE_KINDS.get(action.dest) if takes else None
            kind = kind or ("choices" if choices else None)
            metavar = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
            help_text = _first_clause(action.help or "")
            if choices and (not help_text or help_text.split(":")[0] in choices):  # "table", "text: ..."
                help_text = "one of " + ", ".join(choices)
            command.options.append(Option(tuple(action.option_strings), help_text, takes,
                                          kind, choices, metavar, isinstance(action, argparse._AppendAction)))
        else:
            choices = tuple(str(c) for c in action.choices or ())
            kind = VALUE_KINDS.get(action.dest)
            if action.dest == "name":
                kind = "workspaces" if path in EXISTING_NAME else None
            kind = kind or ("choices" if choices else None)
            name = action.metavar if isinstance(action.metavar, str) else action.dest
            command.positionals.append(Positional(name, kind, choices, action.nargs in ("+", "*")))
    return command


def _first_clause(text: str) -> str:
    text = re.sub(r"%\((\w+)\)s", "", text or "")
    text = text.split("; ")[0].split(" (")[0].split(", e.g.")[0].strip()
    return " ".join(text.split())


def dimension_ids() -> tuple[str, ...]:
    from ..core.dimensions import DIMENSIONS

    return tuple(d.id for d in DIMENSIONS)


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    root = model(parser)
    for command in root.walk():
        for value in [*(c for o in command.options for c in o.choices),
                      *(c for p in command.positionals for c in p.choices)]:
            assert re.fullmatch(r"[\w.+-]+", value), value  # choices go into scripts unquoted
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](root, dimension_ids())


def _kind_word(kind: str | None, choices: tuple[str, ...]) -> str:
    if kind == "choices":
        return "choices:" + ":".join(choices)
    return kind or "-"


# -- bash ----------------------------------------------------------------------------------------


BASH_ENGINE = r"""
__FUNC___values() {  # $1: what the value is, $2: what is typed of it; adds to COMPREPLY
    local kind=$1 cur=$2 item prefix
    case $kind in
        dims) COMPREPLY+=($(compgen -W "$__FUNC___dims" -- "$cur")) ;;
        dim_list)
            prefix=""
            [[ $cur == *,* ]] && prefix="${cur%,*},"
            for item in $__FUNC___dims; do
                [[ $item == "${cur##*,}"* ]] && COMPREPLY+=("$prefix$item")
            done ;;
        dim_keys)
            for item in $__FUNC___dims; do
                [[ "$item=" == "$cur"* ]] && COMPREPLY+=("$item=")
            done
            compopt -o nospace 2>/dev/null ;;
        connections|workspaces|tags)
            cur=${cur//\\ / }; cur=${cur#[\"\']}
            while IFS= read -r item; do
                [[ -n $item && $item == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$item")")
            done < <("$__FUNC___cmd" ${__FUNC___globals[@]+"${__FUNC___globals[@]}"} __HIDDEN__ "$kind" 2>/dev/null) ;;
        dirs) while IFS= read -r item; do COMPREPLY+=("$item"); done < <(compgen -d -- "$cur")
              compopt -o filenames 2>/dev/null ;;
        files) while IFS= read -r item; do COMPREPLY+=("$item"); done < <(compgen -f -- "$cur")
               compopt -o filenames 2>/dev/null ;;
        choices:*) item=${kind#choices:}; COMPREPLY+=($(compgen -W "${item//:/ }" -- "$cur")) ;;
    esac
}

__FUNC__() {
    local -a words=() __FUNC___globals=()
    local __FUNC___cmd=${COMP_WORDS[0]}
    local j glue=0 cword=0 w
    # bash splits "--rows=service" and "service=Images" at "="; glue the pieces back together
    for ((j = 0; j <= COMP_CWORD; j++)); do
        w=${COMP_WORDS[j]}
        if [[ $w == "=" && ${#words[@]} -gt 1 ]]; then
            words[${#words[@]}-1]+="="; glue=1
        elif ((glue)); then
            words[${#words[@]}-1]+="$w"; glue=0
        else
            words+=("$w")
        fi
        ((j == COMP_CWORD)) && cword=$((${#words[@]} - 1))
    done
    local cur=${words[cword]} path="" expect="" npos=0 subs opts valopts pos
    COMPREPLY=()
    for ((j = 1; j < cword; j++)); do
        w=${words[j]}
        __FUNC___spec "$path"
        if [[ -n $expect ]]; then
            [[ -z $path && ($expect == --data-dir || $expect == --db) ]] && __FUNC___globals+=("$expect" "$w")
            expect=""
        elif [[ $w == --*=* ]]; then
            [[ -z $path && (${w%%=*} == --data-dir || ${w%%=*} == --db) ]] && __FUNC___globals+=("${w%%=*}" "${w#*=}")
        elif [[ $w == -* ]]; then
            [[ " $valopts " == *" $w "* ]] && expect=$w
        elif [[ $npos -eq 0 && " $subs " == *" $w "* ]]; then
            path="${path:+$path }$w"
        else
            npos=$((npos + 1))
        fi
    done
    __FUNC___spec "$path"
    if [[ -n $expect ]]; then
        __FUNC___values "$(__FUNC___kind "$path" "$expect")" "$cur"
    elif [[ $cur == --*=* ]]; then
        local before=""
        [[ $COMP_WORDBREAKS != *=* ]] && before="${cur%%=*}="
        __FUNC___values "$(__FUNC___kind "$path" "${cur%%=*}")" "${cur#*=}"
        [[ -n $before ]] && COMPREPLY=("${COMPREPLY[@]/#/$before}")
    elif [[ $cur == -* ]]; then
        COMPREPLY+=($(compgen -W "$opts" -- "$cur"))
    elif [[ -n $subs && $npos -eq 0 ]]; then
        COMPREPLY+=($(compgen -W "$subs" -- "$cur"))
    else
        local -a kinds=($pos)
        if ((${#kinds[@]})); then
            local at=$npos
            ((at >= ${#kinds[@]})) && at=$((${#kinds[@]} - 1))
            local kind=${kinds[at]}
            if [[ $kind == *+ ]]; then
                kind=${kind%+}
            elif ((npos >= ${#kinds[@]})); then
                kind=-
            fi
            __FUNC___values "$kind" "$cur"
        fi
    fi
    return 0
}

complete -F __FUNC__ __PROG__
"""


def bash(root: Command, dims: tuple[str, ...]) -> str:
    spec_cases, kind_cases = [], []
    for command in root.walk():
        key = " ".join(command.path)
        subs = " ".join(c.path[-1] for c in command.subcommands)
        opts = " ".join(f for o in command.options for f in o.flags)
        valopts = " ".join(f for o in command.options if o.takes_value for f in o.flags)
        pos = " ".join(_kind_word(p.kind, p.choices) + ("+" if p.repeat else "") for p in command.positionals)
        spec_cases.append(f'        "{key}") subs="{subs}"; opts="{opts}"; valopts="{valopts}"; pos="{pos}" ;;')
        for option in command.options:
            if option.takes_value and option.kind:
                patterns = "|".join(f'"{key}|{f}"' for f in option.flags)
                kind_cases.append(f"        {patterns}) echo {_kind_word(option.kind, option.choices)} ;;")
    head = (f"# bash completion for {PROG}; generated by `{PROG} completion bash`.\n"
            f"# Install: add  eval \"$({PROG} completion bash)\"  to ~/.bashrc\n\n"
            f"__FUNC___dims=\"{' '.join(dims)}\"\n\n"
            "__FUNC___spec() {  # $1: the command path; sets subs, opts, valopts (options taking a value), pos\n"
            '    subs="" opts="" valopts="" pos=""\n    case "$1" in\n'
            + "\n".join(spec_cases) + "\n    esac\n}\n\n"
            "__FUNC___kind() {  # $1: the command path, $2: an option; prints what its value is\n"
            '    case "$1|$2" in\n' + "\n".join(kind_cases) + "\n        *) echo - ;;\n    esac\n}\n")
    text = head + BASH_ENGINE
    return text.replace("__FUNC__", FUNC).replace("__PROG__", PROG).replace("__HIDDEN__", HIDDEN)


# -- zsh -----------------------------------------------------------------------------------------


def _zsh_text(text: str) -> str:
    """Help text inside a single-quoted ``[...]`` of an _arguments spec."""
    return text.replace("'", "'\\''").replace("[", "(").replace("]", ")").replace(":", " -")


def _zsh_action(kind: str | None, choices: tuple[str, ...], dims: tuple[str, ...]) -> str:
    return {
        None: " ",
        "choices": f"({' '.join(choices)})",
        "dims": f"({' '.join(dims)})",
        "dim_list": f"_values -s , dimension {' '.join(dims)}",
        "dim_keys": f"{FUNC}_dim_keys",
        "connections": f"{FUNC}_names connections",
        "workspaces": f"{FUNC}_names workspaces",
        "tags": f"{FUNC}_names tags",
        "dirs": "_files -/",
        "files": "_files",
    }[kind]


def _zsh_function(command: Command, dims: tuple[str, ...]) -> str:
    name = FUNC + "".join("_" + re.sub(r"\W", "_", p) for p in command.path)
    specs = []
    for option in command.options:
        flags = option.flags
        help_text = _zsh_text(option.help)
        if "--help" in flags:
            specs.append("'(- *)'{-h,--help}'[show help]'")
            continue
        if "--version" in flags:
            specs.append(f"'(- *)--version[{help_text}]'")
            continue
        for flag in flags:
            star = "*" if option.repeat else ""
            if option.takes_value:
                message = option.metavar.replace(":", " ") or "value"
                equals = "=" if flag.startswith("--") else ""
                action = _zsh_action(option.kind, option.choices, dims)
                specs.append(f"'{star}{flag}{equals}[{help_text}]:{message}:{action}'")
            else:
                specs.append(f"'{star}{flag}[{help_text}]'")
    lines = [f"{name}() {{"]
    if command.subcommands:
        items = " ".join(f"'{c.path[-1]}:{_zsh_text(c.help)}'" for c in command.subcommands)
        lines += ['    local curcontext="$curcontext" state line ret=1', "    typeset -A opt_args"]
        if not command.path:
            lines.append(f"    {FUNC}_cmd=$words[1]")
        lines.append("    _arguments -C -s -S \\")
        lines += [f"        {s} \\" for s in specs]
        lines += ["        '1: :->cmds' \\", "        '*:: :->args' && ret=0"]
        if not command.path:
            lines += [f"    {FUNC}_globals=()",
                      "    local o; for o in --data-dir --db; do",
                      f"        [[ -n ${{opt_args[$o]}} ]] && {FUNC}_globals+=($o ${{(Q)opt_args[$o]}})",
                      "    done"]
        lines += ["    case $state in",
                  f"        cmds) local -a cmds; cmds=({items}); _describe -t commands command cmds && ret=0 ;;",
                  "        args)", "            case $words[1] in"]
        for sub in command.subcommands:
            sub_name = FUNC + "".join("_" + re.sub(r"\W", "_", p) for p in sub.path)
            lines.append(f"                {sub.path[-1]}) {sub_name} && ret=0 ;;")
        lines += ["            esac ;;", "    esac", "    return ret", "}"]
    else:
        for number, positional in enumerate(command.positionals, 1):
            where = "*" if positional.repeat else str(number)
            action = _zsh_action(positional.kind, positional.choices, dims)
            specs.append(f"'{where}:{positional.name.replace(':', ' ')}:{action}'")
        lines.append("    _arguments -s -S" + (" \\" if specs else ""))
        lines += [f"        {s}" + (" \\" if i < len(specs) - 1 else "") for i, s in enumerate(specs)]
        lines.append("}")
    return "\n".join(lines)


def zsh(root: Command, dims: tuple[str, ...]) -> str:
    keys = " ".join(f"{d}=" for d in dims)
    parts = [
        f"#compdef {PROG}",
        f"# zsh completion for {PROG}; generated by `{PROG} completion zsh`.",
        f"# Install: add  eval \"$({PROG} completion zsh)\"  to ~/.zshrc after compinit, or save it as",
        f"# _{PROG} in a folder of your $fpath.",
        "",
        f"{FUNC}_dim_keys() {{ compadd \"$@\" -S '' -- {keys} }}",
        "",
        f"{FUNC}_names() {{  # the last argument: connections | workspaces; before it, compadd's options",
        "    local -a names",
        f"    names=(${{(f)\"$(${{{FUNC}_cmd:-{PROG}}} ${{{FUNC}_globals[@]}} {HIDDEN} ${{@[-1]}} 2>/dev/null)\"}})",
        "    compadd \"${@[1,-2]}\" -a names",
        "}",
        "",
    ]
    parts += [_zsh_function(c, dims) + "\n" for c in root.walk()]
    parts += [
        f'if [[ $funcstack[1] == _{PROG} || $funcstack[1] == {FUNC} ]]; then',
        f'    {FUNC} "$@"',
        "else",
        f"    typeset -g {FUNC}_cmd={PROG}; typeset -ga {FUNC}_globals",
        f"    compdef {FUNC} {PROG}",
        "fi",
        "",
    ]
    # Saved as _openai-cost-tui in $fpath, the file is autoloaded and its body runs as that function:
    # the last lines then complete; sourced (eval), they register the function with compdef.
    return "\n".join(parts)


# -- fish ----------------------------------------------------------------------------------------


def _fish_text(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


FISH_ENGINE = r"""
function __FUNC___state --description 'the command path so far, then how many positionals follow it'
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ''
    set -l npos 0
    set -l expect 0
    for t in $tokens
        if test $expect = 1
            set expect 0
            continue
        end
        switch $t
            case '--*=*'
                continue
            case '-*'
                __FUNC___takes_value "$path" $t; and set expect 1
                continue
        end
        if test $npos = 0; and contains -- $t (__FUNC___subs "$path")
            set path (string trim -- "$path $t")
        else
            set npos (math $npos + 1)
        end
    end
    echo $path
    echo $npos
end

function __FUNC___at --description 'true at this command path (and, given, at this positional: N or N+)'
    set -l state (__FUNC___state)
    test "$state[1]" = "$argv[1]"; or return 1
    set -q argv[2]; or return 0
    set -l want (string replace '+' '' -- $argv[2])
    if string match -q '*+' -- $argv[2]
        test $state[2] -ge $want
    else
        test $state[2] -eq $want
    end
end

function __FUNC___names --description 'connection or workspace names, from the store'
    set -l tokens (commandline -opc)
    set -l globals
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --data-dir --db
                set -l next (math $i + 1)
                set -q tokens[$next]; and set globals $globals $tokens[$i] $tokens[$next]
                set i $next
            case '--data-dir=*' '--db=*'
                set globals $globals $tokens[$i]
            case '-*'
            case '*'
                break
        end
        set i (math $i + 1)
    end
    command $tokens[1] $globals __HIDDEN__ $argv[1] 2>/dev/null
end

function __FUNC___dim_list --description 'DIM[,DIM]: dimension names after what is typed'
    set -l cur (commandline -ct | string replace -r '^--[^=]*=' '')
    set -l prefix ''
    string match -q '*,*' -- $cur; and set prefix (string replace -r '[^,]*$' '' -- $cur)
    for d in $__FUNC___dims
        echo $prefix$d
    end
end

complete -c __PROG__ -f
"""


def _fish_value(kind: str | None, choices: tuple[str, ...]) -> str:
    if kind is None:
        return ""
    return {
        "choices": f" -a '{' '.join(choices)}'",
        "dims": " -a '$__FUNC___dims'",
        "dim_list": " -a '(__FUNC___dim_list)'",
        "dim_keys": " -a '(printf \"%s=\\n\" $__FUNC___dims)'",
        "connections": " -a '(__FUNC___names connections)'",
        "workspaces": " -a '(__FUNC___names workspaces)'",
        "tags": " -a '(__FUNC___names tags)'",
        "dirs": " -a '(__fish_complete_directories)'",
        "files": " -F",
    }[kind]


def fish(root: Command, dims: tuple[str, ...]) -> str:
    takes, subs, lines = [], [], []
    for command in root.walk():
        key = " ".join(command.path)
        at = f"-n '__FUNC___at \"{key}\"'"
        for option in command.options:
            flags = ""
            for flag in option.flags:
                flags += f" -l {flag[2:]}" if flag.startswith("--") else f" -s {flag[1:]}"
                if option.takes_value:
                    takes.append(f"'{key}|{flag}'")
            value = ""
            if option.takes_value:  # -x: a value, and no file names unless the value is one
                value = (" -r" if option.kind == "files" else " -x") + _fish_value(option.kind, option.choices)
            described = f" -d {_fish_text(option.help)}" if option.help else ""
            lines.append(f"complete -c {PROG} {at}{flags}{value}{described}")
        if command.subcommands:
            subs.append(f"        case '{key}'\n" + "".join(
                f"            echo {c.path[-1]}\n" for c in command.subcommands))
            for sub in command.subcommands:
                described = f" -d {_fish_text(sub.help)}" if sub.help else ""
                lines.append(f"complete -c {PROG} -n '__FUNC___at \"{key}\" 0' -a {sub.path[-1]}{described}")
        for number, positional in enumerate(command.positionals):
            value = _fish_value(positional.kind, positional.choices)
            if value and value != " -F":
                where = f"{number}+" if positional.repeat else str(number)
                lines.append(f"complete -c {PROG} -n '__FUNC___at \"{key}\" {where}'{value}")
    head = [
        f"# fish completion for {PROG}; generated by `{PROG} completion fish`.",
        f"# Install: {PROG} completion fish > ~/.config/fish/completions/{PROG}.fish",
        "",
        f"set -g __FUNC___dims {' '.join(dims)}",
        "",
        "function __FUNC___takes_value --argument-names path opt",
        '    switch "$path|$opt"',
        "        case " + " ".join(takes),
        "            return 0",
        "    end",
        "    return 1",
        "end",
        "",
        "function __FUNC___subs --argument-names path",
        '    switch "$path"',
        *[s.rstrip("\n") for s in subs],
        "    end",
        "end",
    ]
    text = "\n".join(head) + "\n" + FISH_ENGINE + "\n".join(lines) + "\n"
    return text.replace("__FUNC__", FUNC).replace("__PROG__", PROG).replace("__HIDDEN__", HIDDEN)
