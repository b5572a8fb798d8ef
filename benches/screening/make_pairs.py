#!/usr/bin/env python3
"""Builds the labelled name pairs of the screening benchmark from the real
list extracts in fixtures/lists_real (see SOURCES.md there).

The rules below were written before any tuning of chiptrace's matcher and
are not changed to suit it. Every pair is (query, listed, label): `query`
is a name as trade data might write it, `listed` a name as the list gives
it, label 1 when both name the same party.

Split: an entry goes to `held_out` when the first byte of
sha256(file + entry key) is below 77 (30%); all its pairs go with it. The
held-out part is not looked at while tuning.

Positives
  alt_name     the entry's primary name against each of its own alternate
               names (CSL `alt_names`, `;`-parts of `name`; FtM other names,
               `alias`, `previousName`, `weakAlias`)
  upper        primary name upper-cased, punctuation removed
  form_drop    legal form removed (companies)
  form_change  legal form replaced by another, or one added if none
  place        a city or province of the entry's country put in front
  swap         person: `SURNAME, Given` as `Given SURNAME`; company: the
               first two words swapped
  customs      upper + form_drop + place together (companies)
Negatives
  other_entry  two different entries whose primary names share a word of
               3+ letters (not a legal form or stop word); pairs whose names
               are the same words in any order are left out (one party
               listed twice); at most 4 per entry, chosen by seed
  innocent     a firm or person that shares one distinctive word: companies
               `BRAND WORD INDUSTRY LEGALFORM`, persons `Given WORD`, with
               BRAND and Given drawn from fixed lists
  number       a numbered name with its number changed (54th -> 61st,
               CETC 13 -> CETC 14, ADRIAN DARYA 1 -> ADRIAN DARYA 2)

Harder negatives, added in the third session before the matcher was tuned
on them (their rows follow all the rows above, so those keep their ids):
  namesake     person with two given names or more: the first given name
               replaced by another from OTHER_GIVEN (same surname, same
               other given names: a namesake, not the same person)
  syllable     company in CN, HK, MO or TW (or with a CN_PLACES word in its
               primary name) whose name has a word that reads
               as two Pinyin syllables or more and is not a place (CN_PLACES,
               or a word the name repeats): that word's last syllable replaced by
               another from SYLLABLES (another Chinese firm); from the
               primary name and from each alternate name, against the primary
  syllable_split  the same, the changed word written as separate syllables
  acronym      company of three words or more (after legal forms and stop
               words): the initials of its words with the last letter
               changed, as one upper-case word
"""
import csv
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LISTS = ROOT / "fixtures" / "lists_real"
OUT = Path(__file__).resolve().parent / "pairs.tsv"

LEGAL = {
    "co", "co.", "company", "ltd", "ltd.", "limited", "inc", "inc.", "incorporated", "llc", "l.l.c.", "corp",
    "corp.", "corporation", "oao", "ooo", "zao", "ao", "pao", "ojsc", "jsc", "cjsc", "pjsc", "gmbh", "ag", "sa",
    "s.a.", "srl", "pte", "pte.", "bhd", "sdn", "llp", "plc", "fze", "fzco", "kk", "k.k.", "limitada", "ltda",
    "st.", "tic.", "san.",
}
STOP = {"and", "of", "the", "for", "de", "la", "&", "i", "s", "al", "el", "abu", "bin", "ibn"}
FORMS = ["CO LTD", "LIMITED", "LLC", "INC", "CORP", "JSC", "OOO", "GMBH", "PTE LTD", "SDN BHD", "SA", "LTDA", "AO"]
PLACES = {
    "CN": ["SHENZHEN", "ANHUI", "GUANGDONG", "HEBEI", "JIANGSU", "BEIJING", "SHANGHAI", "HEFEI", "WUXI"],
    "HK": ["HONG KONG", "KOWLOON"],
    "RU": ["MOSCOW", "ST PETERSBURG", "NOVOSIBIRSK"],
    "IR": ["TEHRAN", "ISFAHAN"],
    "AE": ["DUBAI", "SHARJAH"],
    "": ["SINGAPORE", "DUBAI", "HONG KONG", "ISTANBUL"],
}
BRANDS = ["GOLDEN LOTUS", "PHOENIX", "MAPLE LEAF", "RIVERSIDE", "SUNRISE", "HARMONY", "BLUE OCEAN", "SILVERLINE"]
INDUSTRIES = ["FOOD PRODUCTS", "TEXTILES", "FURNITURE", "DENTAL SUPPLIES", "TOYS", "GARMENTS", "CERAMICS"]
GIVEN = ["Maria", "John", "Ahmed", "Elena", "Pedro", "Fatima", "Igor", "Wei"]
ORD = {1: "st", 2: "nd", 3: "rd"}


def held_out(key):
    return hashlib.sha256(key.encode()).digest()[0] < 77


def words(s):
    return [w for w in re.split(r"[^\w.&]+", s) if w]


def bag(s):
    return sorted(w.lower().strip(".") for w in re.split(r"[^\w]+", s) if w and w.lower() not in LEGAL)


def country_of(addresses):
    for a in (addresses or "").split(";"):
        last = a.rsplit(",", 1)[-1].strip()
        if len(last) == 2 and last.isupper():
            return last
    return ""


def entries():
    out = []
    for f in ["csl_2019_sample.csv", "csl_2023_sample.csv"]:
        raw = (LISTS / f).read_bytes().decode("utf-8", errors="replace")
        for i, r in enumerate(csv.DictReader(raw.splitlines(True))):
            parts = [p.strip() for p in (r.get("name") or "").split(";")]
            parts = [re.sub(r"^and ", "", p).rstrip(".") if p.lower().startswith("and ") else p for p in parts]
            parts = [p for p in parts if p and not p.lower().startswith("any successor")]
            alts = [a.strip() for a in (r.get("alt_names") or "").split(";") if a.strip()]
            alts = [re.sub(r"^and ", "", a) for a in alts]
            names = parts + [a for a in alts if a not in parts]
            if not names:
                continue
            kind = {"Individual": "Person", "Vessel": "Vessel", "Entity": "Company"}.get(r.get("type") or "", "LegalEntity")
            out.append({"key": f"{f}:{i + 2}", "names": names, "schema": kind, "country": country_of(r.get("addresses"))})
    for i, line in enumerate((LISTS / "opensanctions_sample.ftm.json").read_text().splitlines()):
        e = json.loads(line)
        if e["schema"] not in ("Person", "Company", "Organization", "LegalEntity"):
            continue
        p = e["properties"]
        names = []
        for k in ["name", "alias", "previousName", "weakAlias"]:
            for n in p.get(k, []):
                if n not in names:
                    names.append(n)
        out.append({"key": f"ftm:{e['id']}", "names": names, "schema": e["schema"],
                    "country": (p.get("country") or [""])[0].upper()})
    return out


def strip_punct(s):
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def drop_form(s):
    ws = words(s)
    while ws and ws[-1].lower().strip(",") in LEGAL:
        ws.pop()
    while ws and ws[0].lower() in LEGAL:
        ws.pop(0)
    return " ".join(ws).strip(" ,")


def rewrites(e, rng):
    name = e["names"][0]
    person = e["schema"] == "Person"
    out = [("upper", strip_punct(name).upper())]
    if person:
        if "," in name:
            last, given = name.split(",", 1)
            out.append(("swap", f"{given.strip()} {last.strip()}"))
        else:
            ws = name.split()
            if len(ws) >= 2:
                out.append(("swap", " ".join(ws[1:] + ws[:1])))
        return out
    dropped = drop_form(name)
    if dropped and dropped != name:
        out.append(("form_drop", dropped))
        out.append(("form_change", f"{dropped} {rng.choice(FORMS)}"))
    else:
        out.append(("form_change", f"{name} {rng.choice(FORMS)}"))
    place = rng.choice(PLACES.get(e["country"], PLACES[""]))
    out.append(("place", f"{place} {name}"))
    ws = name.split()
    if len(ws) >= 2:
        out.append(("swap", " ".join([ws[1], ws[0]] + ws[2:])))
    out.append(("customs", f"{place} {strip_punct(dropped or name).upper()}"))
    return out


def content_words(name):
    return {w.lower().strip(".,'") for w in re.split(r"[^\w']+", name)
            if len(w.strip(".,'")) >= 3 and w.lower().strip(".,'") not in LEGAL | STOP}


def renumber(name):
    m = re.search(r"\b(\d+)(st|nd|rd|th)?\b", name, flags=re.I)
    if not m:
        return None
    n = int(m.group(1))
    new = n + 7 if n > 3 else n + 1
    suffix = m.group(2)
    if suffix:
        s = ORD.get(new % 10, "th") if new % 100 not in (11, 12, 13) else "th"
        s = s.upper() if suffix.isupper() else s
        rep = f"{new}{s}"
    else:
        rep = str(new)
    return name[: m.start()] + rep + name[m.end():]


OTHER_GIVEN = ["Omar", "Sergey", "Olga", "Hamid", "Natalya", "Karim", "Pavel", "Zainab", "Boris", "Layla"]
SYLLABLES = ["hua", "tong", "feng", "long", "bao", "jin", "rui", "kang"]
PY_INITIALS = ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z",
               "c", "s", "y", "w", ""]
PY_FINALS = ["iang", "iong", "uang", "ang", "eng", "ing", "ong", "uan", "ian", "iao", "uai", "ai", "ei", "ui", "ao",
             "ou", "iu", "ie", "ue", "er", "an", "en", "in", "un", "ua", "uo", "a", "o", "e", "i", "u"]


CN_PLACES = {
    "china", "beijing", "tianjin", "shanghai", "chongqing", "hebei", "shanxi", "liaoning", "jilin", "heilongjiang",
    "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan", "hubei", "hunan", "guangdong", "hainan",
    "sichuan", "guizhou", "yunnan", "shaanxi", "gansu", "qinghai", "taiwan", "neimenggu", "guangxi", "xizang",
    "ningxia", "xinjiang", "hongkong", "macau", "shenzhen", "guangzhou", "hefei", "wuxi", "guiyang", "hengshui",
    "xian", "chengdu", "wuhan", "nanjing", "hangzhou", "suzhou", "dongguan", "xiamen", "qingdao", "dalian",
}


def syllables(word):
    """A word split into Pinyin syllables (longest initial and final first), or None."""
    w = word.lower()
    if not w:
        return []
    for ini in PY_INITIALS:
        if not w.startswith(ini):
            continue
        for fin in PY_FINALS:
            if w[len(ini):].startswith(fin):
                rest = syllables(w[len(ini) + len(fin):])
                if rest is not None:
                    return [w[: len(ini) + len(fin)]] + rest
    return None


def person_parts(name):
    """(given names, surname words) of a person's name: `SURNAME, Given` or
    `Given SURNAME` (upper-case words are the surname), else the last word."""
    if "," in name:
        last, given = name.split(",", 1)
        return given.split(), last.split()
    ws = name.split()
    upper = [w for w in ws if w.isupper() and len(w) > 1]
    if upper and len(upper) < len(ws):
        return [w for w in ws if w not in upper], upper
    return ws[:-1], ws[-1:]


def hard_negatives(e):
    rng = random.Random("hard:" + e["key"])
    name = e["names"][0]
    out = []
    if e["schema"] == "Person":
        given, surname = person_parts(name)
        if len(given) >= 2 and surname:
            other = rng.choice([g for g in OTHER_GIVEN if g.lower() not in name.lower()])
            out.append(("namesake", f"{' '.join([other] + given[1:])} {' '.join(surname)}"))
        return out
    chinese = e["country"] in ("CN", "HK", "MO", "TW") or any(
        w.lower() in CN_PLACES for w in re.split(r"[^\w]+", name))
    for n in e["names"] if chinese else []:
        ws = [w for w in re.split(r"[^\w]+", n) if w]
        for i, w in enumerate(ws):
            place = w.lower() in CN_PLACES or sum(x.lower() == w.lower() for x in ws) > 1
            syl = syllables(w) if w.isalpha() and len(w) >= 4 and not place else None
            if syl and len(syl) >= 2:
                new = rng.choice([x for x in SYLLABLES if x != syl[-1]])
                joined = "".join(syl[:-1]) + new
                joined = joined.capitalize() if w[0].isupper() else joined
                split = " ".join(x.capitalize() for x in syl[:-1] + [new])
                for cat, q in [("syllable", " ".join(ws[:i] + [joined] + ws[i + 1:])),
                               ("syllable_split", " ".join(ws[:i] + [split] + ws[i + 1:]))]:
                    if (cat, q) not in out:
                        out.append((cat, q))
                break
    ws = [w for w in re.split(r"[^\w]+", name) if w]
    content = [w for w in ws if w.lower() not in LEGAL | STOP and not w.isdigit()]
    if len(content) >= 3:
        initials = "".join(w[0] for w in content).upper()
        last = rng.choice([c for c in "BDGKMPRSTW" if c != initials[-1]])
        out.append(("acronym", initials[:-1] + last))
    return out


def main():
    es = entries()
    rows = []
    for e in es:
        rng = random.Random(e["key"])
        split = "held_out" if held_out(e["key"]) else "tune"
        primary = e["names"][0]
        for alt in e["names"][1:]:
            rows.append((split, "alt_name", 1, e["schema"], alt, primary, e["key"]))
        for cat, q in rewrites(e, rng):
            if q and q != primary:
                rows.append((split, cat, 1, e["schema"], q, primary, e["key"]))
        # innocent party sharing the longest content word
        cw = sorted(content_words(primary), key=lambda w: (-len(w), w))
        if cw:
            w = cw[0].upper()
            if e["schema"] == "Person":
                given = [g for g in GIVEN if g.lower() not in primary.lower()]
                q = f"{rng.choice(given)} {w.title()}"
            else:
                q = f"{rng.choice(BRANDS)} {w} {rng.choice(INDUSTRIES)} {rng.choice(FORMS)}"
            rows.append((split, "innocent", 0, e["schema"], q, primary, e["key"]))
        num = renumber(primary)
        if num and num != primary:
            rows.append((split, "number", 0, e["schema"], num, primary, e["key"]))
        # other listed entries sharing a word
        mine = content_words(primary)
        others = []
        for o in es:
            if o is e or not (mine & content_words(o["names"][0])):
                continue
            if any(bag(a) == bag(b) for a in e["names"] for b in o["names"]):
                continue
            others.append(o)
        rng.shuffle(others)
        for o in others[:4]:
            rows.append((split, "other_entry", 0, e["schema"], o["names"][0], primary, e["key"]))
    for e in es:
        split = "held_out" if held_out(e["key"]) else "tune"
        for cat, q in hard_negatives(e):
            rows.append((split, cat, 0, e["schema"], q, e["names"][0], e["key"]))
    with OUT.open("w", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["id", "split", "category", "label", "schema", "query", "listed", "entry"])
        for i, r in enumerate(rows):
            w.writerow([f"P{i + 1}", *r])
    n = len(rows)
    pos = sum(r[2] for r in rows)
    print(f"{n} pairs ({pos} positive, {n - pos} negative) from {len(es)} entries -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
