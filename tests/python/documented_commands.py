"""Every `aws` and `cdk` command the documentation hands a reader, found and checked against oracles nobody here wrote.

Where commands are found (DOCUMENTS): code spans and fenced code blocks of README.md, training-scripts/*/README.md
and constructs/README.md; comments and code spans in ops/*.yaml; the `run:` scripts of .github/workflows/*.yml. Shell
text is split into simple commands (quotes removed, `$(...)` kept inside its word and searched for commands of its
own, `VAR=value` prefixes dropped); in other code blocks (`text` output samples) an `aws` command runs to the end of
its line. A mention of a command is held to the same standard as a command: it must run as written.

How `aws` commands are checked (AwsCli): the AWS CLI v1 (awscli, pinned in scripts/python-tools.txt) parses each one
as `aws` would, up to the point where it would call AWS (unknown service, operation or option, a missing required
option, shorthand syntax, a `--query` that is not JMESPath, `--output` choices); the vendored SageMaker model
(tests/models) replaces the installed botocore's for `sagemaker`. The request the CLI built is then checked against
the operation's input shape (botocore's own parameter validation: required and unknown members, types, minimums) and
its enums, and every field the `--query` expression names against the operation's output shape. Values holding a
placeholder (`<job-name>`) or a shell expansion (`$arn`) are not checked against enums. `aws cloudformation deploy`
of a template in this repository must name only that template's parameters, give every one without a default, and
use only its AllowedValues.

How `cdk` commands are checked (CdkCli): the pinned CDK CLI (node_modules/aws-cdk) prints each subcommand's `--help`;
every option must be listed there, not deprecated, `--no-X` only for a boolean X, and a value among the listed
choices.
"""
import contextlib
import glob
import gzip
import io
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAGEMAKER_MODEL = os.path.join(ROOT, "tests", "models", "sagemaker-2017-07-24.botocore-1.43.11.json.gz")
SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "zsh"}


def documents(root=ROOT):
    """Repository-relative paths of every document searched for commands."""
    found = ["README.md", "constructs/README.md"]
    found += sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "training-scripts", "*", "README.md")))
    found += sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "ops", "*.y*ml")))
    found += sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, ".github", "workflows", "*.y*ml")))
    return [p for p in found if os.path.isfile(os.path.join(root, p))]


@dataclass
class Command:
    """One documented command: `tool` is "aws" or "cdk"; `words` follow the tool name, quotes removed."""
    source: str
    tool: str
    words: list
    text: str = ""

    def __str__(self):
        return f"{self.source}: {self.tool} {' '.join(self.words)}"


@dataclass
class _Word:
    start: int
    value: str = ""


# ---- shell text -> simple commands ----

def _matching_paren(text, i):
    """Index of the `)` closing the `$(` whose `(` is at text[i], skipping quoted text."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            i = text.index("'", i + 1) + 1 if "'" in text[i + 1:] else len(text)
            continue
        if c == '"':
            i = _end_of_double_quotes(text, i + 1) + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text) - 1


def _end_of_double_quotes(text, i):
    """Index of the `"` closing a double-quoted string that starts at text[i]."""
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "$" and text[i + 1:i + 2] == "(":
            i = _matching_paren(text, i + 1) + 1
            continue
        if c == '"':
            return i
        i += 1
    return len(text)


_REDIRECTION = re.compile(r"\d*(?:>>?|<)(?:&(?:\d+|-))?")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def simple_commands(text, base=0):
    """The simple commands of a shell text as (offset of the first word in text, words) pairs: quotes removed;
    `$(...)` kept verbatim in its word, and its own commands listed too. Commands end at a newline, `;`, `|`, `&` and
    parentheses; `#` starting a word comments out the rest of the line; redirections are dropped; leading
    `VAR=value` words are dropped."""
    commands, words = [], []
    word = None
    skip_next_word = False
    start = None

    def end_word():
        nonlocal word, skip_next_word, start
        if word is not None:
            if not words and not skip_next_word and not _ASSIGNMENT.match(word.value):
                start = word.start
            if skip_next_word:
                skip_next_word = False
            else:
                words.append(word.value)
        word = None

    def end_command():
        nonlocal words, start
        end_word()
        while words and _ASSIGNMENT.match(words[0]):
            words.pop(0)
        if words:
            commands.append((base + (start or 0), words))
        words, start = [], None

    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and text[i + 1:i + 2] == "\n":
            i += 2
            continue
        if c == "\\":
            word = word or _Word(i)
            word.value += text[i + 1:i + 2]
            i += 2
            continue
        if c in " \t":
            end_word()
            i += 1
            continue
        if c in "\n;|&()":
            end_command()
            i += 1
            continue
        if c == "#" and word is None:
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
            continue
        if word is None:
            m = _REDIRECTION.match(text, i)
            if m and not re.match(r"<[^<>\s]+>", text[i:]):  # a redirection, not a placeholder such as <job-name>
                skip_next_word = "&" not in m.group(0)  # 2>&1 has no target word; > file and < file have one
                i = m.end()
                continue
        word = word or _Word(i)
        if c == "'":
            end = text.find("'", i + 1)
            end = len(text) if end < 0 else end
            word.value += text[i + 1:end]
            i = end + 1
        elif c == '"':
            end = _end_of_double_quotes(text, i + 1)
            inner = text[i + 1:end]
            word.value += re.sub(r'\\(["\\$`])', r"\1", inner)
            for m in re.finditer(r"\$\(", inner):
                close = _matching_paren(inner, m.end() - 1)
                commands.extend(simple_commands(inner[m.end():close], base + i + 1 + m.end()))
            i = end + 1
        elif c == "$" and text[i + 1:i + 2] == "(":
            close = _matching_paren(text, i + 1)
            commands.extend(simple_commands(text[i + 2:close], base + i + 2))
            word.value += text[i:close + 1]
            i = close + 1
        else:
            word.value += c
            i += 1
    end_command()
    return commands


# ---- documents -> commands ----

_FENCE = re.compile(r"^([ \t]*)```([^\n`]*)\n(.*?)^\1```", re.M | re.S)


def _markdown_code(text):
    """(line number, language, code) for each fenced block, then ("span") for each inline code span outside them."""
    pieces = []
    for m in _FENCE.finditer(text):
        lang = (m.group(2).strip().split() or [""])[0].lower()
        code = re.sub(r"^" + re.escape(m.group(1)), "", m.group(3), flags=re.M) if m.group(1) else m.group(3)
        pieces.append((text.count("\n", 0, m.start(3)) + 1, lang or "sh", code))
    outside = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for m in re.finditer(r"`([^`\n]+)`", outside):
        pieces.append((outside.count("\n", 0, m.start()) + 1, "span", m.group(1)))
    return pieces


def _commands_in(code, lang, path, first_line):
    """Commands in one piece of code: shell text is split; in other text an `aws` command runs to its line's end."""
    found = []
    if lang in SHELL_LANGUAGES or lang == "span":
        for offset, words in simple_commands(code):
            found.extend(_classify(words, f"{path}:{first_line + code.count(chr(10), 0, offset)}"))
    else:
        for n, line in enumerate(code.split("\n")):
            for m in re.finditer(r"(?:^|(?<=\s))aws\s+[a-z]", line):
                for _, words in simple_commands(line[m.start():])[:1]:
                    found.extend(_classify(words, f"{path}:{first_line + n}"))
    return found


def _classify(words, source):
    """An `aws`, `cdk` or `npx cdk` command; the tool's bare name (`aws`, `cdk` in prose) is no command."""
    if words[0] == "npx":
        words = words[1:]
    if len(words) > 1 and words[0] in ("aws", "cdk"):
        return [Command(source, words[0], words[1:])]
    return []


def commands_in_markdown(text, path):
    found = []
    for line, lang, code in _markdown_code(text):
        found.extend(_commands_in(code, lang, path, line))
    return found


def commands_in_yaml_comments(text, path):
    """Comment lines that are commands (`aws ...`, `npx cdk ...`, continued with `\\`) and code spans in comments."""
    found = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"\s*#\s?(.*)$", lines[i])
        if not m:
            i += 1
            continue
        body, start = m.group(1), i + 1
        for span in re.finditer(r"`([^`]+)`", body):
            found.extend(_commands_in(span.group(1), "span", path, start))
        if re.match(r"\s*(aws|npx cdk|cdk)\s", body):
            command = body
            while command.rstrip().endswith("\\") and i + 1 < len(lines) and re.match(r"\s*#", lines[i + 1]):
                i += 1
                command = command.rstrip()[:-1] + " " + re.sub(r"^\s*#\s?", "", lines[i])
            found.extend(_commands_in(command.replace("\n", " "), "sh", path, start))
        i += 1
    return found


def commands_in_workflow(text, path):
    """Commands in the `run:` scripts of a GitHub workflow's steps."""
    import yaml  # PyYAML: a cfn-lint and awscli dependency, so present where those are

    found = []

    def visit(node):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == "run" and isinstance(value, yaml.ScalarNode):
                    block = value.style in ("|", ">")  # a block scalar starts on the line after `run: |`
                    found.extend(_commands_in(value.value, "sh", path, value.start_mark.line + 1 + block))
                else:
                    visit(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                visit(item)

    visit(yaml.compose(text))
    return found


def documented_commands(root=ROOT):
    found = []
    for path in documents(root):
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        if path.endswith(".md"):
            found.extend(commands_in_markdown(text, path))
        elif path.startswith(".github/workflows/"):
            found.extend(commands_in_workflow(text, path))
            found.extend(commands_in_yaml_comments(text, path))
        else:
            found.extend(commands_in_yaml_comments(text, path))
    return found


def is_placeholder(value):
    """A value the reader replaces or the shell expands: <job-name>, $arn, ${ENV}, $(date +%s), `...`."""
    return isinstance(value, str) and bool(re.search(r"<[^<>\s]+>|\$|`", value))


# ---- aws: the AWS CLI's parser, then the API model ----

class AwsCli:
    """The AWS CLI v1 driver, stopped where it would call AWS. Use as a context manager (it lays out the vendored
    SageMaker model for botocore's loader in a temporary folder)."""

    def __enter__(self):
        from awscli.clidriver import create_clidriver
        from awscli.customizations.commands import BasicCommand

        self._models = tempfile.mkdtemp(prefix="documented-commands-")
        target = os.path.join(self._models, "sagemaker", "2017-07-24")
        os.makedirs(target)
        with gzip.open(SAGEMAKER_MODEL) as src, open(os.path.join(target, "service-2.json"), "wb") as dst:
            shutil.copyfileobj(src, dst)
        self.driver = create_clidriver()
        self.session = self.driver.session
        loader = self.session.get_component("data_loader")
        loader.search_paths.insert(0, self._models)
        self._captured = {}
        self.session.register("calling-command.*", self._on_call)

        def run_main(command, parsed_args, parsed_globals):  # custom commands (s3 cp, cloudformation deploy, ...)
            self._captured.update(custom=command.name, args=vars(parsed_args), globals=parsed_globals)
            return 0

        def subclasses(cls):
            for sub in cls.__subclasses__():
                yield sub
                yield from subclasses(sub)

        self._patched = [(cls, cls.__dict__["_run_main"]) for cls in [BasicCommand, *subclasses(BasicCommand)]
                         if "_run_main" in cls.__dict__]
        for cls, _ in self._patched:
            cls._run_main = run_main
        return self

    def __exit__(self, *exc):
        for cls, original in self._patched:
            cls._run_main = original
        shutil.rmtree(self._models, ignore_errors=True)

    def _on_call(self, call_parameters, parsed_args, parsed_globals, event_name, **kwargs):
        operation = event_name.rsplit(".", 1)[1]
        service_command = self.driver._get_command_table()[parsed_globals.command]
        model = service_command._get_command_table()[operation]._operation_model
        self._captured.update(operation=model, params=call_parameters, globals=parsed_globals)
        return 0

    def model_source(self, service):
        """The file botocore's loader reads a service's model from (the vendored one for sagemaker)."""
        loader = self.session.get_component("data_loader")
        version = loader.determine_latest_version(service, "service-2")
        return loader.load_data_with_path(f"{service}/{version}/service-2")[1]

    def parse(self, words):
        """Runs the CLI's parser over the words after `aws`: (exit code, its error text, what it would have called)."""
        self._captured.clear()
        err = io.StringIO()
        try:  # in the repository root: that is where the documented commands run (file://examples/train.json)
            with contextlib.chdir(ROOT), contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = self.driver.main(list(words))
        except SystemExit as e:
            code = e.code
        lines = [l.strip() for l in err.getvalue().splitlines() if l.strip()]
        useful = [l for l in lines if re.search(r"error:|Unknown options|Invalid|Bad value|invalid choice", l)]
        return code, (useful[-1] if useful else (lines[-1] if lines else "")), dict(self._captured)

    def problems(self, command, root=ROOT):
        code, message, call = self.parse(command.words)
        if code != 0 or not call:
            return [f"the AWS CLI refuses it (exit code {code}): {re.sub(r'^.*?error: ', '', message)}"]
        if "custom" in call:
            return self._custom_problems(call, root)
        operation = call["operation"]
        params = {k: v for k, v in call["params"].items() if k != "PaginationConfig"}
        found = []
        if operation.input_shape is not None:
            from botocore.validate import ParamValidator
            report = ParamValidator().validate(_fill_placeholders(params, operation.input_shape), operation.input_shape)
            found += [f"request: {line.strip()}" for line in report.generate_report().splitlines()[1:] if line.strip()]
            found += [f"request: {p}" for p in _enum_problems(params, operation.input_shape, operation.name)]
        query = getattr(call["globals"], "query", None)
        if query is not None:
            found += [f"--query: {p}" for p in query_problems(query.parsed, operation.output_shape, operation.name)]
        return found

    def _custom_problems(self, call, root):
        if call["custom"] != "deploy" or not call["args"].get("template_file"):
            return []
        path = os.path.join(root, call["args"]["template_file"])
        if not os.path.isfile(path):
            return [f"--template-file {call['args']['template_file']} does not exist"]
        parameters = template_parameters(path)
        given = {}
        for pair in call["args"].get("parameter_overrides") or []:
            key, _, value = pair.partition("=")
            given[key] = value
        found = [f"--parameter-overrides {k}: the template has no such parameter (it has {', '.join(parameters)})"
                 for k in given if k not in parameters]
        found += [f"--parameter-overrides lacks {k}, which has no default" for k, p in parameters.items()
                  if "Default" not in p and k not in given]
        for k, v in given.items():
            allowed = (parameters.get(k) or {}).get("AllowedValues")
            if allowed and not is_placeholder(v) and v not in [str(a) for a in allowed]:
                found.append(f"--parameter-overrides {k}={v}: allowed {', '.join(map(str, allowed))}")
        return found


def _fill_placeholders(value, shape):
    """The request with each placeholder string replaced by one of the shape's minimum length (the reader's real value
    is not known here; its length is not the documentation's to get wrong)."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _fill_placeholders(v, shape.members[k]) if k in shape.members else v for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_fill_placeholders(v, shape.member) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _fill_placeholders(v, shape.value) for k, v in value.items()}
    if shape.type_name == "string" and is_placeholder(value):
        return "x" * max(shape.metadata.get("min", 1), 1)
    return value


def _enum_problems(value, shape, path):
    """Enum violations in a request, skipping placeholders."""
    found = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in value.items():
            if name in shape.members:
                found += _enum_problems(member, shape.members[name], f"{path}.{name}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            found += _enum_problems(item, shape.member, f"{path}[{i}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            found += _enum_problems(k, shape.key, f"{path} key")
            found += _enum_problems(v, shape.value, f"{path}.{k}")
    elif shape.type_name == "string" and shape.enum and isinstance(value, str) and not is_placeholder(value):
        if value not in shape.enum:
            found.append(f"{path} is {value!r}; allowed: {', '.join(shape.enum)}")
    return found


# ---- --query against the output shape ----

@dataclass
class _Type:
    """What a JMESPath expression yields: a botocore shape, a list of such, or unknown (None)."""
    shape: object = None
    list_of: object = None  # a _Type when this is a projection's result


def query_problems(ast, output_shape, operation):
    """Fields a JMESPath AST names that the output shape does not have, with where they were looked for."""
    problems = []
    _walk(ast, _Type(output_shape), problems, operation)
    return problems


def _member(t, name, problems, where):
    if t.list_of is not None:  # inside a projection: applies to each element
        inner = _member(t.list_of, name, problems, where)
        return _Type(list_of=inner)
    shape = t.shape
    if shape is None:
        return _Type()
    if shape.type_name == "map":
        return _Type(shape.value)
    if shape.type_name != "structure":
        problems.append(f"'{name}' is looked up in {where}, a {shape.type_name}, not a structure")
        return _Type()
    if name not in shape.members:
        problems.append(f"{where} has no member '{name}' (members: {', '.join(shape.members)})")
        return _Type()
    return _Type(shape.members[name])


def _elements(t, problems, where):
    """The element type of a list (for [n], [], [*], [?...])."""
    if t.list_of is not None:
        return t.list_of
    if t.shape is None:
        return _Type()
    if t.shape.type_name != "list":
        problems.append(f"{where} is a {t.shape.type_name}, not a list: it cannot be indexed or projected")
        return _Type()
    return _Type(t.shape.member)


def _describe(t, operation):
    if t.list_of is not None:
        return "each element"
    return t.shape.name if t.shape is not None else operation


def _walk(node, t, problems, operation):
    kind, children = node["type"], node.get("children", [])
    where = _describe(t, operation)
    if kind == "field":
        return _member(t, node["value"], problems, where)
    if kind == "subexpression":
        left = _walk(children[0], t, problems, operation)
        return _walk(children[1], left, problems, operation)
    if kind == "index_expression":
        left = _walk(children[0], t, problems, operation)
        return _elements(left, problems, _describe(left, operation))
    if kind in ("index", "slice"):
        return t
    if kind == "flatten":
        inner = _walk(children[0], t, problems, operation)
        return _Type(list_of=_elements(inner, problems, _describe(inner, operation)))
    if kind in ("projection", "filter_projection"):
        left = _walk(children[0], t, problems, operation)
        element = left.list_of if left.list_of is not None else _elements(left, problems, _describe(left, operation))
        if kind == "filter_projection":
            _walk(children[2], element, problems, operation)
        return _Type(list_of=_walk(children[1], element, problems, operation))
    if kind == "value_projection":
        left = _walk(children[0], t, problems, operation)
        shape = left.shape
        if shape is not None and shape.type_name == "map":
            element = _Type(shape.value)
        else:
            element = _Type()
        return _Type(list_of=_walk(children[1], element, problems, operation))
    if kind == "pipe":
        left = _walk(children[0], t, problems, operation)
        return _walk(children[1], left, problems, operation)
    if kind in ("multi_select_list", "multi_select_dict", "key_val_pair", "comparator", "or_expression",
                "and_expression", "not_expression", "function_expression"):
        for child in children:
            _walk(child, t, problems, operation)
        return _Type()
    if kind in ("identity", "current"):
        return t
    return _Type()  # literal, raw string, expref


def template_parameters(path):
    """The Parameters of a CloudFormation template in YAML (short-form tags read as plain data)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    with open(path, encoding="utf-8") as f:
        return (yaml.load(f, Loader=Loader) or {}).get("Parameters") or {}


# ---- cdk: the pinned CLI's own --help ----

@dataclass
class CdkOption:
    names: list
    kind: str = ""
    deprecated: str = ""
    choices: list = field(default_factory=list)


def parse_cdk_help(text):
    """Options of a `cdk <command> --help` page (yargs layout): names, type, deprecation and choices."""
    options, current = {}, None
    for line in text.split("\n"):
        m = re.match(r"^  (-[^\s,]+(?:, -[^\s,]+)*)(?:\s{2,}|$)", line)
        if m:
            current = CdkOption([n.lstrip("-") for n in m.group(1).split(", ")])
            for name in current.names:
                options[name] = current
        elif not line.startswith(" ") and line.strip():
            current = None
        if current is not None:
            for tag in re.findall(r"\[([^\[\]]+)\]", line):
                if tag in ("boolean", "string", "number", "array", "count"):
                    current.kind = tag
                elif tag.startswith("deprecated"):
                    current.deprecated = tag
                elif tag.startswith("choices:"):
                    current.choices = re.findall(r'"([^"]*)"', tag)
    return options


class CdkCli:
    """`cdk <command> --help` of the pinned CDK CLI, read once per command."""

    def __init__(self, root=ROOT):
        self.root = root
        self.cli = os.path.join(root, "node_modules", "aws-cdk", "bin", "cdk")
        self.pages = {}

    def load(self, commands):
        missing = sorted({c for c in commands if c not in self.pages})
        with ThreadPoolExecutor(max_workers=4) as pool:
            for command, page in zip(missing, pool.map(self._help, missing)):
                self.pages[command] = page

    def _help(self, command):
        run = subprocess.run(["node", self.cli, command, "--help"], cwd=self.root, capture_output=True, text=True,
                             timeout=120, env={**os.environ, "CI": "true", "NO_COLOR": "1"})
        text = run.stdout + run.stderr
        usage = re.search(rf"^cdk {re.escape(command)}\b", text, re.M)
        return (parse_cdk_help(text) if usage else None), text

    def problems(self, command):
        if not command.words or command.words[0].startswith("-"):
            return ["no cdk command named"]
        name = command.words[0]
        self.load([name])
        options, text = self.pages[name]
        if options is None:
            return [f"'cdk {name}' is not a command of the pinned CDK CLI ({text.strip().splitlines()[-1:]})"]
        found = []
        words = command.words[1:]
        i = 0
        while i < len(words):
            word = words[i]
            i += 1
            if not word.startswith("-") or word == "-":
                continue
            flag, _, inline = word.lstrip("-").partition("=")
            option = options.get(flag)
            negated = False
            if option is None and flag.startswith("no-") and flag[3:] in options:
                option, negated = options[flag[3:]], True
                if option.kind != "boolean":
                    found.append(f"--{flag}: --{flag[3:]} is a {option.kind or 'non-boolean'} option, it cannot be negated")
            if option is None:
                found.append(f"--{flag} is not an option of 'cdk {name}'")
                continue
            if option.deprecated:
                found.append(f"--{flag} is deprecated in the pinned CDK CLI ({option.deprecated})")
            value = inline or None
            if not inline and option.kind in ("string", "number", "array") and not negated and i < len(words):
                value = words[i]
                i += 1
            if option.choices and value is not None and not is_placeholder(value) and value not in option.choices:
                found.append(f"--{flag} {value}: allowed {', '.join(option.choices)}")
        return found
