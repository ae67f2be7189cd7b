"""Sphinx extension: pages generated from the signature registry at build time.

One page per signature pack (its domains, links, advice texts and every rule with its
examples) and one page per block type (what is refused, who can fix it, the advice in
English and French, and the rules that give it), so the site follows the packs as they
change. It also lists, in `_generated/more.inc`, the pages other people add to `docs/`,
so a new page lands in a table of contents instead of failing the warnings-as-errors build.

`generate(root)` is plain Python (the tests call it without Sphinx).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bouncekit import BlockType, Category, default_registry
from bouncekit import _engine as engine

GENERATED = "_generated"

# Pages of the site's own tables of contents (index.md); any other page found in docs/ is
# added to the "More" section, in this order first.
OWN_PAGES = {
    "index", "quickstart", "concepts", "results", "engine", "providers", "block-types",
    "cli", "policy", "testing", "changelog",
}  # fmt: skip
PREFERRED = ("integrations", "migrat", "performance", "reliability")

# What each block type means for the sender, in one line (the advice says what to do).
BLOCK_TYPE_SUMMARY: dict[BlockType, str] = {
    BlockType.IP_REPUTATION: "the receiver refuses the sending server's IP address on its "
    "own reputation data.",
    BlockType.NAMED_BLOCKLIST: "the sending IP (or a domain in the message) is listed on a "
    "public DNS blocklist that the receiver consults.",
    BlockType.COMPLAINTS: "the receiver's users complained about mail from the sending IP "
    "or domain.",
    BlockType.RATE_LIMIT: "too much mail, or too many connections, in too little time.",
    BlockType.RDNS: "the sending IP has no valid reverse DNS, or looks dynamic/residential.",
    BlockType.AUTH: "the message failed SPF, DKIM or DMARC for the sending domain.",
    BlockType.CONTENT_SPAM: "the content (text, links, attachments) was judged to be spam.",
    BlockType.VIRUS: "a virus or malware was found in the message.",
    BlockType.POLICY: "the receiving organisation's own rules refused the message.",
    BlockType.PROTOCOL: "the message or the SMTP session broke the standards "
    "(headers, size, line length, syntax).",
    BlockType.TLS: "the receiver requires an encrypted (TLS) connection.",
    BlockType.SENDER_INVALID: "the envelope sender or From: address was refused.",
    BlockType.SENDER_ACCOUNT: "the sending account itself is suspended or over its quota "
    "at its own provider.",
}


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _fence(text: str) -> list[str]:
    fence = "````" if "```" in text else "```"
    return [f"{fence}text", text.rstrip(), fence, ""]


def _block_type(rule: Any) -> BlockType | None:
    """The block type a rule gives, as the engine fills it in when the rule leaves it out."""
    if rule.category is not Category.BLOCK:
        return None
    if rule.block_type is not None:
        return rule.block_type  # type: ignore[no-any-return]
    mapping: dict[Any, BlockType] = getattr(engine, "_BLOCK_TYPE", {})
    return mapping.get(rule.reason, BlockType.POLICY)


def _pack_page(cp: Any, registry: Any) -> str:
    pack = cp.pack
    out = [f"# {pack.name}", ""]
    out += [
        f"Pack `{pack.id}` ({pack.kind}), {len(pack.rules)} rules, from `{pack.origin}`. "
        "Generated from the pack at build time.",
        "",
    ]
    if pack.domains:
        out += ["**Recipient domains:** " + ", ".join(f"`{d}`" for d in pack.domains), ""]
    if pack.hosts:
        out += ["**Receiving hosts:** " + ", ".join(f"`{h}`" for h in pack.hosts), ""]
    if pack.fingerprints:
        out += ["**Text fingerprints:** " + ", ".join(f"`{f}`" for f in pack.fingerprints), ""]
    if pack.links:
        out += ["## Links", ""]
        out += [f"- {label}: <{url}>" for label, url in pack.links]
        out.append("")
    if pack.advice:
        out += ["## Advice texts of this pack", ""]
        for spec in pack.advice:
            out += [f"### `{spec.key}`", "", f"Action `{spec.action}`, fixer `{spec.fixer}`.", ""]
            out += [spec.en.replace("\n", " "), "", "*En français :* " + spec.fr.replace("\n", " ")]
            out += [""] + [f"- <{u}>" for u in spec.links] + [""]
    out += ["## Rules", "", "In the order the engine tries them; the first that fires wins.", ""]
    out += ["| rule | reason | category | block type | advice |", "|---|---|---|---|---|"]
    for rule in pack.rules:
        bt = _block_type(rule)
        out.append(
            f"| `{rule.id}` | `{rule.reason}` | `{rule.category}` | "
            f"{f'`{bt}`' if bt else '-'} | {f'`{rule.advice}`' if rule.advice else '-'} |"
        )
    out.append("")
    for rule in pack.rules:
        bt = _block_type(rule)
        out += [f"### `{rule.qualified_id}`", ""]
        facts = [f"reason `{rule.reason}` (Sisimai `{rule.reason.sisimai}`)"]
        facts.append(f"category `{rule.category}`")
        if bt:
            facts.append(f"block type [`{bt}`](../block-types/{bt}.md)")
        if rule.permanent is not None:
            facts.append("permanent" if rule.permanent else "not permanent, whatever the code")
        if rule.blocklist:
            facts.append(f"blocklist {rule.blocklist}")
        out += ["; ".join(facts) + ".", ""]
        if rule.keywords:
            out += ["Keywords: " + ", ".join(f"`{_cell(k)}`" for k in rule.keywords) + ".", ""]
        if rule.status or rule.codes:
            need = [f"status `{s}`" for s in rule.status] + [f"code `{c}`" for c in rule.codes]
            out += ["Only with " + " or ".join(need) + ".", ""]
        if rule.source:
            out += [f"Source: {_cell(rule.source)}", ""]
        links = rule.links
        if not links and rule.advice:
            spec = registry.advice(rule.advice)
            links = spec.links if spec is not None else ()
        if links:
            out += ["Links: " + ", ".join(f"<{u}>" for u in links), ""]
        out += ["Examples:", ""]
        for ex in rule.examples:
            out += _fence(ex.text)
        if rule.counter_examples:
            out += ["Not this rule (counter-examples):", ""]
            for ex in rule.counter_examples:
                out += _fence(ex.text)
    return "\n".join(out) + "\n"


def _fill(text: str, name: str) -> str:
    """An advice text on one line, `{provider}` filled in as the engine does without one."""
    text = text.replace("\n", " ").replace("{provider}", name)
    return text[:1].upper() + text[1:]


def _advice_key(bt: BlockType) -> str:
    mapping: dict[BlockType, str] = getattr(engine, "_BLOCK_ADVICE", {})
    return mapping.get(bt, bt.value.replace("_", "-"))


def _block_type_page(bt: BlockType, registry: Any) -> str:
    summary = BLOCK_TYPE_SUMMARY[bt]
    out = [f"# Block type `{bt}`", "", summary[:1].upper() + summary[1:], ""]
    spec = registry.advice(_advice_key(bt))
    if spec is not None:
        out += [
            "## Who can fix it",
            "",
            f"Default advice `{spec.key}`: action `{spec.action}`, fixer `{spec.fixer}`. "
            "A bounce's advice names the provider that refused.",
            "",
            _fill(spec.en, "the receiving server"),
            "",
            "*En français :* " + _fill(spec.fr, "le serveur destinataire"),
            "",
        ]
        out += [f"- <{u}>" for u in spec.links] + [""]
    rules = [
        (cp.pack, r) for cp in map(registry.pack, (p.id for p in registry.packs)) if cp
        for r in cp.rules if _block_type(r) is bt
    ]  # fmt: skip
    out += ["## Rules that give it", ""]
    if not rules:
        out += ["No rule gives this block type yet; the enhanced-status fallback may.", ""]
    else:
        out += ["| pack | rule | reason | example |", "|---|---|---|---|"]
        for pack, r in rules:
            example = r.examples[0].text if r.examples else ""
            short = example[:140] + ("..." if len(example) > 140 else "")
            page = "../providers/" + pack.id + ".md"
            out.append(
                f"| [{_cell(pack.name)}]({page}) | `{r.id}` | `{r.reason}` | {_cell(short)} |"
            )
        out.append("")
    return "\n".join(out) + "\n"


def _other_pages(root: Path) -> list[str]:
    """Pages under docs/ that no table of contents of the site names (others' pages)."""
    found = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root)
        if rel.parts[0].startswith(("_", ".")):
            continue
        name = rel.with_suffix("").as_posix()
        if name not in OWN_PAGES:
            found.append(name)

    def rank(name: str) -> tuple[int, str]:
        for i, prefix in enumerate(PREFERRED):
            if name.startswith(prefix):
                return i, name
        return len(PREFERRED), name

    return sorted(found, key=rank)


def _write(path: Path, text: str) -> None:
    """Write only on change, so Sphinx does not rebuild pages that did not change."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(root: Path) -> list[Path]:
    """Write the generated pages under `root/_generated`; return the paths written."""
    registry = default_registry()
    out_dir = root / GENERATED
    written: list[Path] = []
    for pack in registry.packs:
        cp = registry.pack(pack.id)
        assert cp is not None
        path = out_dir / "providers" / f"{pack.id}.md"
        _write(path, _pack_page(cp, registry))
        written.append(path)
    for bt in BlockType:
        path = out_dir / "block-types" / f"{bt}.md"
        _write(path, _block_type_page(bt, registry))
        written.append(path)
    others = _other_pages(root)
    more = ["```{toctree}", ":maxdepth: 1", ":caption: More", ""]
    more += [*others, "```", ""]
    _write(out_dir / "more.inc", "\n".join(more) if others else "")
    keep = set(written) | {out_dir / "more.inc"}
    for stale in out_dir.rglob("*.md"):  # a pack that was removed or renamed
        if stale not in keep:
            stale.unlink()
    return written


def _on_config_inited(app: Any, config: Any) -> None:
    generate(Path(app.srcdir))


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
