#!/usr/bin/env python3
"""Check the built-in language packs (assets/packs/<ID>/pack.toml). Stdlib only.

Usage: python3 assets/packs/check_packs.py [PACKS_DIR]
Exits 1 and lists every problem when a pack is wrong.
"""
import re
import sys
import tomllib
from pathlib import Path

PACK_IDS = ["en-US", "en-GB", "es-MX", "es-ES", "pt-BR", "fr-FR", "de-DE", "ja-JP",
            "zh-CN", "id-ID", "th-TH", "vi-VN", "ar-SA"]

NUMBERS = {  # decimal, group, currency, percent_space, default_currency
    "en-US": (".", ",", "prefix", False, "USD"),
    "en-GB": (".", ",", "prefix", False, "GBP"),
    "es-MX": (".", ",", "prefix", False, "MXN"),
    "es-ES": (",", ".", "suffix-space", True, "EUR"),
    "pt-BR": (",", ".", "prefix-space", False, "BRL"),
    "fr-FR": (",", "\u202f", "suffix-space", True, "EUR"),
    "de-DE": (",", ".", "suffix-space", True, "EUR"),
    "ja-JP": (".", ",", "prefix", False, "JPY"),
    "zh-CN": (".", ",", "prefix", False, "CNY"),
    "id-ID": (",", ".", "prefix", False, "IDR"),
    "th-TH": (".", ",", "prefix", False, "THB"),
    "vi-VN": (",", ".", "suffix-space", True, "VND"),
    "ar-SA": (".", ",", "suffix-space", False, "SAR"),
}

FONTS = {"Noto Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans Thai", "Noto Sans Arabic"}
KOKORO = {"af_heart", "bf_emma", "ef_dora", "ff_siwis", "pf_dora", "jf_alpha", "zf_xiaobei"}

KEYS = {
    "": {"pack", "voices", "translator", "glossary", "numbers", "rules", "disclosure", "templates"},
    "pack": {"id", "locale", "name", "language_name", "direction", "subtitle_font"},
    "voices": {"engine", "voice", "speed", "pitch"},
    "translator": {"engines", "model", "apertium_pair"},
    "glossary": {"keep", "terms"},
    "numbers": {"decimal", "group", "currency", "percent_space", "date", "units", "default_currency"},
    "rules": {"ai_voice_allowed", "banned", "allowed"},
    "disclosure": {"label", "spoken"},
}
REQUIRED = {
    "": {"pack", "voices", "translator", "glossary", "numbers", "rules", "disclosure"},
    "pack": KEYS["pack"],
    "voices": {"engine", "voice", "speed"},
    "translator": {"engines"},
    "glossary": {"keep", "terms"},
    "numbers": KEYS["numbers"],
    "rules": {"ai_voice_allowed", "banned"},
    "disclosure": {"label", "spoken"},
}

SLOTS = {"host", "show", "name", "next", "price", "was", "pct", "stock", "minutes", "rating",
         "reviews", "sold", "adj", "Adj"}
# bank: (minimum count, slots allowed, slot groups of which every line needs one of each)
BANKS = {
    "show_open": (3, {"show", "adj", "Adj"}, []),
    "hook": (12, {"name", "adj", "Adj"}, [{"name"}]),
    "pitch": (10, {"name", "adj", "Adj"}, []),
    "social_proof_rating": (4, {"rating", "reviews", "name"}, [{"rating", "reviews"}]),
    "social_proof_sold": (3, {"sold", "name"}, [{"sold"}]),
    "social_proof_soft": (8, {"adj", "Adj"}, []),
    "price": (6, {"price", "name"}, [{"price"}]),
    "price_from": (3, {"price", "name"}, [{"price"}]),
    "discount": (8, {"price", "was", "pct", "name"}, [{"price"}, {"was", "pct"}]),
    "offer_start": (4, {"minutes"}, [{"minutes"}]),
    "offer_running": (8, set(), []),
    "stock": (4, {"stock", "name"}, [{"stock"}]),
    "cta": (10, {"name"}, []),
    "transition": (6, {"next"}, [{"next"}]),
    "filler": (6, set(), []),
    "openers": (6, set(), []),
}
ADJ_MOODS = ("warm", "upbeat", "calm", "luxury")
NO_SPACE_LANGS = ("ja", "zh", "th")
SLOT_RE = re.compile(r"\{([^{}]*)\}")


# --- The same folding and matching as crates/show/src/pack.rs (BannedMatcher) ---------------
_ACCENTS = {}
for _base, _chars in {"a": "àáâãäåā", "c": "çćč", "e": "èéêëēě", "i": "ìíîïī", "n": "ñń",
                      "o": "òóôõöøō", "u": "ùúûüūů", "y": "ýÿ", "s": "ß"}.items():
    for _c in _chars:
        _ACCENTS[_c] = _base


def fold(s: str) -> str:
    """Case, accents, full-width forms, zero-width and repeated spaces folded away."""
    out = []
    last_space = False
    for c in s:
        if "\u200b" <= c <= "\u200f" or c in "\u2060\ufeff\u00ad":
            continue
        if "\uff01" <= c <= "\uff5e":
            c = chr(ord(c) - 0xFEE0)
        for low in c.lower():
            low = _ACCENTS.get(low, low)
            if low.isspace() or low == "\u3000":
                if not last_space:
                    out.append(" ")
                last_space = True
            else:
                out.append(low)
                last_space = False
    return "".join(out).strip()


def _word_match(hay: str, needle: str) -> bool:
    start = 0
    while True:
        i = hay.find(needle, start)
        if i < 0:
            return False
        end = i + len(needle)
        before = hay[i - 1] if i > 0 else None
        after = hay[end] if end < len(hay) else None
        boundary = lambda ch: ch is None or not ch.isalnum()  # noqa: E731
        tail = ""
        for ch in hay[end:]:
            if not ch.isalnum():
                break
            tail += ch
        if boundary(before) and (boundary(after) or tail in ("s", "d", "es", "ed")):
            return True
        start = i + 1


class BannedMatcher:
    def __init__(self, banned, allowed):
        self.banned = [(fold(b), b) for b in banned if fold(b)]
        self.allowed = [fold(a) for a in allowed if fold(a)]

    def find(self, text: str):
        folded = fold(text)
        for a in self.allowed:
            folded = folded.replace(a, "\x01")
        spaced = f" {folded} "
        for f, original in self.banned:
            latin = all((ch.isascii() and ch.isalnum()) or ch in " -'" for ch in f) and f[0].isascii() and f[0].isalpha()
            if (_word_match(spaced, f) if latin else f in folded):
                return original
        return None


def ends_ok(lang: str, s: str) -> bool:
    s = s.rstrip()
    if lang in ("ja", "zh"):
        return s[-1:] in "。！？"
    if lang == "th":
        return True
    if lang == "ar":
        return s[-1:] in ".!؟?"
    return s[-1:] in ".!?…"


def check_pack(pid: str, path: Path) -> list[str]:
    errs: list[str] = []
    e = errs.append
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except Exception as ex:  # noqa: BLE001
        return [f"does not parse: {ex}"]
    lang = pid.split("-")[0]
    english = lang == "en"

    for k in data:
        if k not in KEYS[""]:
            e(f"unknown top-level key {k!r}")
    for k in REQUIRED[""]:
        if k not in data:
            e(f"missing [{k}]")
    if errs:
        return errs
    for table in ("pack", "translator", "glossary", "numbers", "rules", "disclosure"):
        for k in data[table]:
            if k not in KEYS[table]:
                e(f"unknown key {table}.{k}")
        for k in REQUIRED[table]:
            if k not in data[table]:
                e(f"missing {table}.{k}")
    if errs:
        return errs

    p = data["pack"]
    if p["id"] != pid or p["locale"] != pid:
        e(f"pack.id/locale {p['id']}/{p['locale']} != folder {pid}")
    if p["direction"] != ("rtl" if lang == "ar" else "ltr"):
        e(f"wrong direction {p['direction']}")
    if p["subtitle_font"] not in FONTS:
        e(f"unknown subtitle_font {p['subtitle_font']}")
    if not p["name"].strip() or not p["language_name"].strip():
        e("empty name/language_name")

    voices = data["voices"]
    if not voices:
        e("no voices")
    for i, v in enumerate(voices):
        for k in v:
            if k not in KEYS["voices"]:
                e(f"unknown key voices[{i}].{k}")
        if v.get("engine") not in ("kokoro", "espeak"):
            e(f"voices[{i}] unknown engine {v.get('engine')}")
        if v.get("engine") == "kokoro" and v.get("voice") not in KOKORO:
            e(f"voices[{i}] unknown kokoro voice {v.get('voice')}")
        if not 0.5 <= float(v.get("speed", 0)) <= 2.0:
            e(f"voices[{i}] speed out of 0.5..2.0")
        if "pitch" in v and not 0 <= v["pitch"] <= 100:
            e(f"voices[{i}] pitch out of 0..100")
    if voices and voices[-1].get("engine") != "espeak":
        e("last voice must be espeak")

    t = data["translator"]
    if english:
        if t["engines"] != [] or "model" in t or "apertium_pair" in t:
            e("English packs: translator.engines must be [] and no model/apertium_pair")
    else:
        if not t["engines"] or t["engines"][0] != "llm" or "model" not in t:
            e("translator must start with llm and name a model")
        wants_apertium = lang == "es"
        if ("apertium" in t["engines"]) != wants_apertium:
            e("apertium engine only (and always) in es-* packs")
        if wants_apertium and t.get("apertium_pair") != "eng-spa":
            e("es-* packs need apertium_pair = eng-spa")
        if not wants_apertium and "apertium_pair" in t:
            e("apertium_pair only in es-* packs")

    g = data["glossary"]
    if not isinstance(g["keep"], list) or not isinstance(g["terms"], dict):
        e("glossary.keep must be a list, glossary.terms a table")
    elif not english and not 6 <= len(g["terms"]) <= 15:
        e(f"glossary.terms has {len(g['terms'])} entries (6-15)")
    for src in g["terms"]:
        if src != src.lower():
            e(f"glossary term {src!r} must be lower case")

    n = data["numbers"]
    want = NUMBERS[pid]
    got = (n["decimal"], n["group"], n["currency"], n["percent_space"], n["default_currency"])
    if got != want:
        e(f"numbers {got!r} != table {want!r}")
    if n["units"] != ("us" if pid == "en-US" else "metric"):
        e(f"units {n['units']}")
    if not re.fullmatch(r"[DMY/.\-]+", n["date"]):
        e(f"odd date pattern {n['date']}")

    r = data["rules"]
    if r["ai_voice_allowed"] is not True:
        e("rules.ai_voice_allowed must be true")
    banned = r["banned"]
    allowed = [a.lower() for a in r.get("allowed", [])]
    if not 15 <= len(banned) <= 40:
        e(f"rules.banned has {len(banned)} entries (15-40)")
    for b in banned:
        if b != b.lower():
            e(f"banned entry {b!r} not lower case")
    if len(set(banned)) != len(banned):
        e("duplicate banned entries")

    d = data["disclosure"]
    if not d["label"].strip():
        e("empty disclosure.label")
    if not 3 <= len(d["spoken"]) <= 5:
        e(f"disclosure.spoken has {len(d['spoken'])} lines (3-5)")
    for s in d["spoken"]:
        for slot in SLOT_RE.findall(s):
            if slot not in ("host", "show"):
                e(f"disclosure slot {{{slot}}} not allowed: {s}")
        if "{host}" not in s:
            e(f"disclosure line without {{host}}: {s}")

    matcher = BannedMatcher(banned, r.get("allowed", []))
    banned_hit = matcher.find
    for s in d["spoken"]:
        hit = banned_hit(s)
        if hit:
            e(f"disclosure line says banned {hit!r}: {s}")

    tpl = data.get("templates")
    if english:
        if tpl is not None:
            e("English packs must not have [templates]")
        return errs
    if tpl is None:
        return errs + ["missing [templates]"]
    for k in tpl:
        if k not in BANKS and k != "adjectives":
            e(f"unknown templates.{k}")
    seen: dict[str, str] = {}
    for bank, (minimum, ok_slots, needs) in BANKS.items():
        lines = tpl.get(bank)
        if lines is None:
            e(f"missing templates.{bank}")
            continue
        if len(lines) < minimum:
            e(f"templates.{bank} has {len(lines)} lines (min {minimum})")
        for s in lines:
            if not isinstance(s, str) or not s.strip():
                e(f"templates.{bank}: empty line")
                continue
            if s in seen:
                e(f"duplicate template in {bank} and {seen[s]}: {s}")
            seen[s] = bank
            slots = set(SLOT_RE.findall(s))
            if s.count("{") != s.count("}"):
                e(f"templates.{bank}: unbalanced braces: {s}")
            for slot in slots - SLOTS:
                e(f"templates.{bank}: unknown slot {{{slot}}}: {s}")
            for slot in (slots & SLOTS) - ok_slots:
                e(f"templates.{bank}: slot {{{slot}}} not allowed here: {s}")
            for group in needs:
                if not slots & group:
                    e(f"templates.{bank}: needs one of {sorted(group)}: {s}")
            hit = banned_hit(SLOT_RE.sub(" ", s))
            if hit:
                e(f"templates.{bank}: contains banned {hit!r}: {s}")
            if bank == "openers":
                if lang in NO_SPACE_LANGS:
                    if s != s.rstrip():
                        e(f"opener with trailing space: {s!r}")
                elif not s.endswith(" "):
                    e(f"opener must end with a space: {s!r}")
            elif not ends_ok(lang, s):
                e(f"templates.{bank}: no sentence punctuation at the end: {s}")
            if s != s.strip() and bank != "openers":
                e(f"templates.{bank}: stray whitespace: {s!r}")
    adjs = tpl.get("adjectives")
    if adjs is None:
        e("missing templates.adjectives")
    else:
        for k in adjs:
            if k not in ADJ_MOODS:
                e(f"unknown templates.adjectives.{k}")
        for mood in ADJ_MOODS:
            words = adjs.get(mood, [])
            if len(words) < 5:
                e(f"templates.adjectives.{mood} has {len(words)} (min 5)")
            for w in words:
                if SLOT_RE.search(w):
                    e(f"slot inside adjective {w!r}")
                hit = banned_hit(w)
                if hit:
                    e(f"adjective {w!r} contains banned {hit!r}")
    return errs


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    failed = 0
    dirs = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith(("_", ".")))
    for pid in sorted(set(dirs) - set(PACK_IDS)):
        print(f"{pid}: unexpected pack folder")
        failed += 1
    for pid in PACK_IDS:
        path = root / pid / "pack.toml"
        if not path.exists():
            print(f"{pid}: missing {path}")
            failed += 1
            continue
        errs = check_pack(pid, path)
        if errs:
            failed += 1
            for x in errs:
                print(f"{pid}: {x}")
        else:
            print(f"{pid}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
