"""Geography smaller than a state: street addresses, cities and counties,
ZIP codes, and the names of hospitals and other facilities.

Safe Harbor lets the state stay, so "Springfield, IL 62704" masks to
"[CITY], IL [ZIP]". A city is recognised by the state (or ZIP) after it, by a
cue before it ("lives in Springfield", "moved from Boston"), or after "in",
"from" or "to" by its shape ("in Lake Claudia", "from Amandaville") or by a
gazetteer of US places ("from Boise", "in Cedar Rapids"; names that are also
words or names, such as "Mobile" or "Jackson", need more). States and
countries are not smaller than a state and stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from proctor.masking.detect._base import (
    FIRST_DIGIT,
    LO,
    NUM_END,
    SEPARATOR,
    UP,
    Finding,
    glued,
    lowered,
    word_alternation,
)
from proctor.masking.detect._name_lists import (
    AMBIGUOUS_FIRST,
    FIRST_NAMES,
    STOPWORDS,
    SURNAME_WORDS,
    SURNAMES,
)
from proctor.masking.detect._place_lists import AMBIGUOUS_PLACES, PLACES


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    """The items of a compact word list."""
    return tuple(text.split(sep))


STATE_ABBREVIATIONS = _split(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP"
)
STATE_NAMES = _split(
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland"
    "|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada"
    "|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma"
    "|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah"
    "|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|District of Columbia"
    "|Puerto Rico",
    "|",
)

# Upper case only: "in", "or" and "me" are words, "IN", "OR" and "ME" states.
_ABBR = r"(?:" + "|".join(STATE_ABBREVIATIONS) + r")"
_STATE_NAME = r"(?:" + "|".join(sorted(STATE_NAMES, key=len, reverse=True)) + r")"

# --- ZIP codes ----------------------------------------------------------------

# Five-digit candidates first (they are rare in notes); the context before
# them decides.
_FIVE_DIGITS = re.compile(FIRST_DIGIT + r"[0-9]{4}(?:-[0-9]{4})?" + NUM_END)
_STATE_BEFORE = re.compile(r"(?<![\w])(?:" + _ABBR + "|" + _STATE_NAME + r")\.?,?[ \t]+\Z")
_ZIP_CUE_BEFORE = re.compile(  # in lower-cased text
    r"\b(?:zip(?:[ \t]*code)?|zipcode|postal[ \t]+code|post[ \t]+code)" + SEPARATOR + r"\Z"
)
_CONTEXT_WINDOW = 32


@dataclass(frozen=True, slots=True)
class ZipDetector:
    """ZIP codes after a state ("IL 62704") or a ZIP cue; ZIP+4 anywhere
    (less sure). A bare five-digit number is a lab value, not a ZIP."""

    name: str = "zip"
    categories: frozenset[str] = frozenset({"ZIP"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield ZIP codes."""
        low: str | None = None
        for m in _FIVE_DIGITS.finditer(text):
            lo = max(0, m.start() - _CONTEXT_WINDOW)
            if _STATE_BEFORE.search(text, lo, m.start()):
                yield Finding("ZIP", m.start(), m.end(), 0.9, self.name)
                continue
            low = lowered(text) if low is None else low
            if _ZIP_CUE_BEFORE.search(low, lo, m.start()):
                yield Finding("ZIP", m.start(), m.end(), 0.9, self.name)
            elif "-" in m.group():
                yield Finding("ZIP", m.start(), m.end(), 0.6, self.name)


# --- street addresses -----------------------------------------------------------

# Suffixes that end a street on their own ("12 Elm Street", "4 Oak Ave"): few
# clinical phrases end in them after a number and a capitalised word.
_STRONG_FULL = _split(
    "Street Streets Avenue Avenues Road Roads Boulevard Drive Drives Lane Lanes Court Courts "
    "Way Ways Place Terrace Circle Circles Parkway Parkways Highway Square Squares Trail Alley "
    "Crescent Loop Row Plaza Pike Turnpike Expressway Freeway Route Ridge Heights Stravenue "
    "Causeway Motorway Throughway Trafficway Skyway Bypass"
)
_STRONG_ABBR = _split(
    "St Ave Av Rd Blvd Dr Ln Ct Pl Ter Cir Pkwy Hwy Sq Trl Aly Plz Tpke Expy Fwy Rte Cswy Byp"
)
# The rest of the USPS street suffixes (Publication 28, appendix C1): "6
# Minute Walk", "4 West Nurses Station" and "2 Key Points" end in them too,
# so they need a second sign that this is an address.
_WEAK_FULL = _split(
    "Allee Annex Arcade Bayou Beach Bend Bluff Bluffs Bottom Branch Bridge Brook Brooks Burg "
    "Burgs Camp Canyon Cape Center Centers Cliff Cliffs Club Common Commons Corner Corners "
    "Course Cove Coves Creek Crest Crossing Crossroad Crossroads Curve Dale Dam Divide Estate "
    "Estates Extension Extensions Fall Falls Ferry Field Fields Flat Flats Ford Fords Forest "
    "Forge Forges Fork Forks Fort Garden Gardens Gateway Glen Glens Green Greens Grove "
    "Groves Harbor Harbors Haven Hill Hills Hollow Inlet Island Islands Isle Junction "
    "Junctions Key Keys Knoll Knolls Lake Lakes Land Landing Light Lights Loaf Lock Locks "
    "Lodge Mall Manor Manors Meadow Meadows Mews Mill Mills Mission Mount Mountain Mountains "
    "Neck Orchard Oval Overpass Park Parks Pass Passage Path Pine Pines Plain Plains Point "
    "Points Port Ports Prairie Radial Ramp Ranch Rapid Rapids Rest Ridges River Rue Run Shoal "
    "Shoals Shore Shores Spring Springs Spur Spurs Station Stream Summit Trace Track Trailer "
    "Tunnel Underpass Union Unions Valley Valleys Via Viaduct View Views Village Villages "
    "Ville Vista Walk Walks Wall Well Wells"
)
_WEAK_ABBR = _split(
    "Anx Byu Bch Bnd Blf Btm Brg Brk Cyn Cpe Ctr Ctrs Clf Clfs Clb Cor Cors Crse Cv Crk Crst "
    "Xing Est Ests Ext Exts Fls Fry Fld Flds Flt Flts Frd Frst Frg Frk Frks Ft Gdn Gdns Gtwy "
    "Gln Grn Grv Hbr Hvn Hts Hl Hls Holw Inlt Jct Knl Lk Lks Lndg Lgt Lck Ldg Mnr Mdw Mdws Ml "
    "Msn Mt Mtn Nck Orch Opas Psge Pnes Pln Plns Pts Prt Rnch Rpd Rpds Rst Riv Rdg Rdgs Shl "
    "Shls Shr Shrs Spg Spgs Sta Strm Smt Trce Trak Trlr Tunl Upas Vly Vlys Vdct Vw Vws Vlg "
    "Vlgs Vl Vis"
)
_SUFFIX_KIND = {
    **{s.lower(): "weak" for s in (*_WEAK_FULL, *_WEAK_ABBR)},
    **{s.lower(): "strong" for s in (*_STRONG_FULL, *_STRONG_ABBR)},
}
_SUFFIX_ABBREVIATIONS = frozenset(s.lower() for s in (*_STRONG_ABBR, *_WEAK_ABBR))
# Dose and form words: "20 MG CAP DR" is a delayed-release capsule; after
# a measure word ("1 Hour Drive") even a strong suffix needs a second sign.
_DOSE_WORDS = frozenset(
    _split(
        "mg mcg g gm kg ml l cc meq iu units unit tab tabs tablet tablets cap caps capsule "
        "capsules po iv im sc sq sl pr er xr sr xl la cr dr ec odt hs prn bid tid qid qd daily"
    )
)
_MEASURE_WORDS = frozenset(
    _split(
        "second seconds minute minutes hour hours hr hrs day days week weeks month months year "
        "years mile miles block blocks step steps foot feet inch inches times"
    )
)
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)"
_UNIT = r"(?:Apt|Apartment|Unit|Suite|Ste|Bldg|Building|Fl|Floor|Rm|Room|Lot|APT|UNIT|STE|\#)"
# A street word: capitalised ("Oak", "McDonald", "O'Neil"), all capitals
# ("MAIN"), or an ordinal ("5th").
_STREET_WORD = (
    r"(?:[" + UP + r"][" + LO + r"'’]+(?:-?[" + UP + r"][" + LO + r"'’]+)?"
    r"|[A-Z]{2,}|[0-9]{1,3}(?:st|nd|rd|th|ST|ND|RD|TH))"
)
# A house number ("12", "221B", "12-14", "12 1/2"), an optional direction
# and up to six words; which of the words is the suffix is decided in Python.
_ADDRESS = re.compile(
    FIRST_DIGIT + r"[0-9]{0,5}[A-Za-z]?(?:-[0-9]{1,4})?(?:[ \t]+1/2)?[ \t]+"
    r"(?:(?P<pre>" + _DIRECTION + r")\.?[ \t]+)?"
    r"(?P<words>" + _STREET_WORD + r"(?:[ \t]+" + _STREET_WORD + r"){0,5})\b"
)
# What may follow the street's suffix: a period, a direction ("NW") and a unit.
_STREET_END = re.compile(
    r"(?:\.(?=[ \t]*[,#\w]))?"
    r"(?P<dir>[ \t]+" + _DIRECTION + r"\b(?:\.(?=[ \t]*[,#\w]))?)?"
    r"(?P<unit>,?[ \t]*" + _UNIT + r"\.?[ \t]*\#?[A-Za-z0-9-]{1,6}\b)?"
)


def _csz(state: str, zip_required: bool) -> re.Pattern[str]:
    return re.compile(
        r"[ \t]*(?:,|\r?\n)[ \t]*" + _PLACE_TOKEN + r"(?:[ \t]+" + _PLACE_TOKEN + r"){0,2}"
        r",?[ \t]+" + state + (r"[ \t]+[0-9]{5}" if zip_required else r"\b")
    )


_PLACE_TOKEN = (
    r"(?:St\.|Ste\.|Ft\.|Mt\.|Saint|["
    + UP
    + "]["
    + LO
    + r"]+(?:['’-]["
    + UP
    + "]?["
    + LO
    + r"]+)?)"
)
# ", Springfield, IL" or a line break and "Springfield IL 62704" after a street.
_CITY_STATE_AFTER = _csz(r"(?:" + _ABBR + "|" + _STATE_NAME + r")", zip_required=False)
_CITY_STATE_ZIP_AFTER = _csz(r"(?:" + _ABBR + "|" + _STATE_NAME + r")", zip_required=True)
# Words before a street that say it is one, in lower-cased text on the line.
_ADDRESS_CUE = re.compile(
    r"\b(?:address|addr|residence|resides|residing|reside|lives|living|apartment|mailing"
    r"|located)\b"
)
_WORD = re.compile(r"\S+")
_PO_BOX = re.compile(  # in lower-cased text
    r"p\.?[ \t]?o\.?[ \t]*box[ \t]+[0-9]{1,6}\b|post[ \t]+office[ \t]+box[ \t]+[0-9]{1,6}\b"
)
_APARTMENT = re.compile(r"(?:Apt|Apartment|APT)\.?[ \t]*\#?[A-Za-z0-9-]{1,6}\b")
# "The pharmacy on Brown Common": a street named without a number, after
# "on" or "at" and before no further capitalised word.
_STREET_NAME_CUE = re.compile(
    r"[ \t\n(](?:on|at|off|near|along|On|At)[ \t]+(?P<name>["
    + UP
    + r"]["
    + LO
    + r"'’]+(?:[ \t]+["
    + UP
    + r"]["
    + LO
    + r"'’]+){1,2})\b(?![ \t]*(?:["
    + UP
    + r"0-9]|&))"
)
# A name word ("Brown", "Joy") is what streets without a number are named
# after in the examples this rule is for; "Heparin Lock" and "Fast Track"
# are not streets.
_NAME_WORDS = FIRST_NAMES | AMBIGUOUS_FIRST | SURNAMES | SURNAME_WORDS
# Words before a strong suffix in idioms and physiology ("on Respiratory
# Drive", "down Memory Lane", "on Oral Route").
_NOT_STREET_NAMES = frozenset(
    _split(
        "respiratory hypoxic hypercapnic ventilatory sex sexual libido oral enteral parenteral "
        "iv feedback memory paper death inner outer food juvenile family drug traffic fast "
        "slow high low right left wrong long short same one two three first second third"
    )
)


# Abbreviated suffixes that end a street named without a number ("on
# Parnassus Ave"): no title, scan or clinical abbreviation spells them.
_UNMISTAKABLE_ABBREVIATIONS = frozenset(_split("ave blvd pkwy hwy"))


def _street_end(text: str, words: list[re.Match[str]], offset: int, i: int) -> re.Match[str]:
    """What follows the suffix ``words[i]``: a period, direction and unit."""
    end = _STREET_END.match(text, offset + words[i].end())
    assert end is not None  # every part is optional
    return end


@dataclass(frozen=True, slots=True)
class AddressDetector:
    """Street addresses (number, street name, suffix, optional direction and
    apartment/suite), PO boxes and apartment numbers.

    A USPS suffix that is also a clinical word ("Walk", "Station", "Point")
    needs a second sign: a unit, a direction, a city and state after it, or
    an address word ("lives at", "Address:") before it. A street with no
    suffix at all counts when a city, state and ZIP follow it."""

    name: str = "address"
    categories: frozenset[str] = frozenset({"ADDRESS"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield street addresses."""
        for m in _ADDRESS.finditer(text):
            offset = m.start("words")
            words = list(_WORD.finditer(m.group("words")))
            keys = [w.group().lower() for w in words]
            if any(k in _DOSE_WORDS for k in keys[:-1]):
                continue  # "20 MG CAP DR" is a delayed-release capsule
            found = None
            # "12 West Mount": the direction may be the street's own name.
            last = 0 if m.group("pre") in ("North", "South", "East", "West") else 1
            for i in range(len(words) - 1, last - 1, -1):
                kind = _SUFFIX_KIND.get(keys[i])
                if kind is None:
                    continue
                word = words[i].group()
                # "1 Hour Drive" is a distance, whatever word comes before it
                measured = any(k in _MEASURE_WORDS for k in keys[:i])
                # "HEAD CT": an abbreviation in capitals is doubtful
                doubtful = measured or (len(word) <= 4 and word.isupper())
                end = _street_end(text, words, offset, i)
                if (kind == "strong" and not doubtful) or self._confirmed(
                    text, end, m.start(), cue=not measured
                ):
                    found = end.end()
                    break
            if found is None:
                end = _street_end(text, words, offset, len(words) - 1)
                if _CITY_STATE_ZIP_AFTER.match(text, end.end()):
                    found = end.end()
            if found is not None:
                yield Finding("ADDRESS", m.start(), found, 0.85, self.name)
        yield from self._street_names(text)
        for m in _PO_BOX.finditer(lowered(text)):
            if not glued(text, m.start()):
                yield Finding("ADDRESS", m.start(), m.end(), 0.85, self.name)
        for m in _APARTMENT.finditer(text):
            if not glued(text, m.start()) and any(ch.isdigit() for ch in m.group()):
                yield Finding("ADDRESS", m.start(), m.end(), 0.6, self.name)

    @staticmethod
    def _confirmed(text: str, end: re.Match[str], start: int, *, cue: bool) -> bool:
        """Whether a street with a weak suffix is an address: a unit or a
        direction after it, then a city and state, or (if ``cue``) an address
        word before it on its line."""
        if end.group("unit") or end.group("dir") or _CITY_STATE_AFTER.match(text, end.end()):
            return True
        if not cue:
            return False
        lo = max(0, start - 40, text.rfind("\n", 0, start) + 1)
        return _ADDRESS_CUE.search(lowered(text[lo:start])) is not None

    def _street_names(self, text: str) -> Iterator[Finding]:
        """Streets without a number after "on" or "at"."""
        for m in _STREET_NAME_CUE.finditer(text):
            words = m.group("name").split()
            last = words[-1].lower()
            kind = _SUFFIX_KIND.get(last)
            if kind is None or (
                last in _SUFFIX_ABBREVIATIONS and last not in _UNMISTAKABLE_ABBREVIATIONS
            ):
                continue  # "on Smith Dr" may be a doctor, "at Chest Ct" a scan
            first = words[0].lower()
            if first in STOPWORDS or first in _NOT_STREET_NAMES:
                continue
            if kind == "weak" and first not in _NAME_WORDS:
                continue  # "on Heparin Lock", "in Fast Track"
            yield Finding("ADDRESS", m.start("name"), m.end("name"), 0.7, self.name)


# --- cities and counties ----------------------------------------------------------

_PLACE_TAIL = re.compile(
    r"(?<![\w'’.-])" + _PLACE_TOKEN + r"(?:[ \t]+" + _PLACE_TOKEN + r"){0,2}\Z"
)
# What may follow a city: ", ST", ", State" (both start with the comma, which
# ``re`` scans for quickly), " ST 12345" (found from the ZIP) or " County".
_COMMA_STATE = re.compile(
    r",[ \t]*(?P<abbr>" + _ABBR + r")\b(?=[ \t]+[0-9]{5}|[ \t]*(?:[,.;:)]|$))"
    r"|,[ \t]*" + _STATE_NAME + r"\b",
    re.MULTILINE,
)
_ABBR_BEFORE_ZIP = re.compile(r"[ \t]+(?P<abbr>" + _ABBR + r")[ \t]+\Z")
_COUNTY = re.compile(r"(?:County|Parish|Borough)\b")
# "City: Springfield" (and the keys of flattened JSON), in lower-cased text.
_CITY_LABEL = re.compile(r"(?:city|town)[ \t]*[:=][ \t]*")
_PLACE_HEAD = re.compile(_PLACE_TOKEN + r"(?:[ \t]+" + _PLACE_TOKEN + r"){0,2}(?![\w'’-])")
# State codes that are also credentials after a name.
_CREDENTIAL_STATES = frozenset({"MD", "PA", "DC"})
_STREET_WORDS = frozenset(s.lower() for s in (*_STRONG_FULL, *_STRONG_ABBR))


def _place_before(text: str, end: int) -> tuple[int, int] | None:
    """The span of the one to three place-name words right before ``end``,
    trimmed of street suffixes and stop words on the left."""
    m = _PLACE_TAIL.search(text, max(0, end - 48), end)
    if m is None:
        return None
    start = m.start()
    for i, word in enumerate(re.finditer(r"\S+", m.group())):
        if i == 0 and word.group() in ("St.", "Saint"):
            continue  # St. Louis; a later "St." ends a street ("Main St. Boston")
        key = word.group().rstrip(".").lower()
        if key in _STREET_WORDS or key in STOPWORDS:
            start = m.start() + word.end()
    while start < end and text[start] in " \t":
        start += 1
    return (start, end) if start < end else None


# --- cities named without a state -------------------------------------------------

# Cues after which a capitalised word is a place ("lives in Leechester",
# "moved from Port Steve").
_PLACE_CUES = _split(
    "lives in|live in|living in|lived in|resides in|reside in|residing in|resided in"
    "|moved to|moved from|moving to|moving from|moved back to|relocated to|relocated from"
    "|relocating to|grew up in|born in|raised in|native of|hometown of|hometown is"
    "|traveled to|travelled to|traveled from|travelled from|traveling to|travelling to"
    "|trip to|vacation in|vacationing in|visiting from|originally from|resident of"
    "|town of|city of|village of|township of",
    "|",
)
# Cues after which only a word shaped like a place counts ("in Amandaville",
# "from Lake Claudia"; not "in Review", "from Outside").
_WEAK_PLACE_CUES = _split("in|from|to|near|at|around|outside of|outside|visiting|visited", "|")
_CUE_KIND = {
    **{c: "weak" for c in _WEAK_PLACE_CUES},
    **{c: "strong" for c in _PLACE_CUES},
}
# A cue, spaces and a capital. The space in front is the word boundary and
# lets ``re`` skip quickly to candidate positions.
_CITY_CUE = re.compile(
    r"[ \t\n(\"“](?P<cue>"
    + word_alternation([*_CUE_KIND, *(c[0].upper() + c[1:] for c in _CUE_KIND)])
    + r")[ \t]+(?=["
    + UP
    + r"])"
)
_PLACE_WORDS = re.compile(_PLACE_TOKEN + r"(?:[ \t]+" + _PLACE_TOKEN + r"){0,2}(?![\w'’-])")
# How place names end and begin (Faker's city shapes and real ones alike).
_PLACE_ENDINGS = _split(
    "ville ton town burg burgh borough boro bury port mouth chester field ford haven side "
    "furt land stad shire view berg fort dale wood polis"
)
_PLACE_ENDING = re.compile(r"[a-z]{2}(?:" + "|".join(_PLACE_ENDINGS) + r")\Z")
_PLACE_PREFIXES = frozenset(
    _split("north south east west new lake port fort mount mt. ft. saint st. san santa los las")
)
# English words and eponyms with a place's ending: "in Review", "from Outside",
# "in Trendelenburg", "in Hounsfield units".
_PLACE_LOOKALIKES = frozenset(
    _split(
        "support report transport passport airport import export rapport seaport review "
        "preview interview overview purview worldview inside outside bedside beside aside "
        "upside downside offside alongside topside ringside seaside roadside wayside "
        "countryside backside underside broadside flipside curbside graveside fireside "
        "hillside poolside comfort discomfort effort button cotton proton photon skeleton "
        "mutton piston crouton singleton simpleton automaton carton newton baritone "
        "island mainland homeland highland lowland woodland wetland farmland grassland "
        "heartland hinterland headland wonderland motherland fatherland borderland dreamland "
        "england ireland scotland finland poland iceland greenland thailand switzerland "
        "holland netherland swaziland lapland downtown uptown midtown hometown iceberg "
        "trendelenburg romberg sternberg hounsfield mayfield stanford battlefield minefield "
        "airfield outfield infield afford firewood plywood driftwood hardwood softwood "
        "sandalwood boxwood hamilton norton greenfield metropolis inland upland deport oxford"
    )
)
# Capitalised words that are not a city after a cue: countries, regions and
# nationalities (not smaller than a state), hospital areas ("moved to
# Telemetry", "lives in Assisted Living"), months, sides and directions.
_NOT_PLACES = STOPWORDS | frozenset(
    _split(
        "afghanistan albania algeria argentina armenia australia austria bangladesh belgium "
        "bolivia bosnia brazil bulgaria burma cambodia cameroon canada chile china colombia "
        "congo cuba cyprus czechia denmark dominican ecuador egypt eritrea ethiopia france "
        "germany ghana greece guatemala guyana haiti honduras hungary india indonesia iran "
        "iraq israel italy jamaica japan kenya korea kuwait laos lebanon liberia libya mexico "
        "mongolia morocco myanmar nepal netherlands nicaragua nigeria norway pakistan "
        "palestine panama paraguay peru philippines portugal romania russia rwanda salvador "
        "samoa senegal serbia singapore somalia spain sudan sweden syria taiwan tanzania tibet "
        "tonga turkey uganda ukraine uruguay uzbekistan venezuela vietnam wales yemen zambia "
        "zimbabwe zealand guinea costa rica sri lanka saudi arabia emirates kingdom united "
        "africa asia america americas antarctica caribbean europe eurasia oceania midwest "
        "middle coast gulf pacific atlantic mediterranean "
        "african american asian european mexican canadian chinese indian hispanic latino "
        "latina caucasian "
        "april june august "
        "telemetry tele stepdown step recovery observation obs isolation burn trauma labor "
        "delivery holding cath endoscopy dialysis infusion chemo radiation memory assisted "
        "living senior group skilled shelter section housing facility apartment apartments "
        "house bay pod hallway hall lobby waiting station wing tower building pavilion campus "
        "annex entrance level suite garage parking dorm school jail prison custody foster "
        "detention chair bedside remission contact droplet airborne restraints fear poverty "
        "left right upper lower central peripheral pain sinus stage class grade type phase "
        "county parish borough pre-op post-op preop postop placement site access pocket "
        "catheter infection nile"
    )
)
_WATER_AND_FORT = frozenset(_split("lake port fort mount mt. ft. saint st."))
_STATE_WORDS = frozenset(n.lower() for n in STATE_NAMES if " " not in n)
_STATE_PHRASE = re.compile(_STATE_NAME + r"(?![\w'’-])")
# ", ST" and more of the sentence after a place: "a teacher in Batesport, DE
# until 2017" (not "a mass in Liver, CT and MRI").
_COMMA_ABBR = re.compile(
    r",[ \t]*(?P<abbr>" + _ABBR + r")[ \t]+(?=in[ \t]+[0-9]{4}|(?:until|since|before|where|area)\b)"
)


# Lower-case words after a place name that make it an eponym: "in Glasgow
# coma scale", "Philadelphia chromosome", "from Norwalk virus".
_EPONYM_HEADS = frozenset(
    _split(
        "scale scales score scores criteria criterion classification chromosome virus "
        "syndrome disease sign signs coma rule rules model system stool shunt bowel prep "
        "risk staging stage grade type protocol method technique procedure maneuver "
        "manoeuvre operation repair fracture lesion deformity test questionnaire assessment "
        "index equation formula chart catheter tube device valve stent regimen cocktail "
        "solution fever strain variant agent toxin bacillus position view splint cast "
        "brace boot needle collar triad definition reflex ulcer phenomenon law curve line "
        "lines node nodes body bodies cell cells palsy tumor response effect pattern approach "
        "incision flap ratio class pathway consensus guideline guidelines trial study"
    )
)
# ... or a Roman numeral or a lone capital ("Rome IV criteria", "Miami J").
_NEXT_WORD = re.compile(r"[ \t]+(?:(?P<word>[a-z]+)|[IVX]{1,4}\b|[A-Z](?![\w.]))")
# An ambiguous place ("Flushing", "Austin") after "in" or "from" counts with
# a borough after it or a sign before it on its line that a place is meant:
# a home, a move, a trip or a relative ("her sister Priya in Austin"), or a
# street ("45 Elm St. in Austin").
_BOROUGH_AFTER = re.compile(
    r",[ \t]*(?P<borough>Queens|Brooklyn|Manhattan|Staten[ \t]+Island|(?:[Tt]he[ \t]+)?Bronx)\b"
)
_PLACE_CONTEXT = re.compile(  # in lower-cased text
    r"\b(?:lives?|living|lived|resides?|residing|resided|home|house|apartment|address"
    r"|moved?|moving|born|raised|grew|flew|drove|trip|travel(?:l?ed|l?ing)?|vacation\w*"
    r"|visit(?:ing|ed|s)?|relatives?|family|sister|brother|siblings?|mother|father|mom"
    r"|dad|parents?|son|daughter|children|kids|wife|husband|partner|fianc[eé]e?|aunt"
    r"|uncle|cousin|niece|nephew|grand(?:mother|father|ma|pa|son|daughter|parents?|kids"
    r"|children))\b"
)
# Words after which "to" or "from" leads to a person ("spoke to Quincy",
# "a call from Trenton"), in lower-cased text before the cue.
_PERSON_BEFORE = re.compile(
    r"\b(?:spoke|speak|speaking|talked|talk|talking|explained|explain|said|say|told|tell"
    r"|introduced|reported|report|gave|give|given|handed|message|messaged|messages|call"
    r"|called|calls|email|emailed|emails|note|notes|letter|text|texted|page|paged|referred"
    r"|refer|signed|handoff|request|requested|wrote|written|answer|answered|reply|replied"
    r"|listened|according|thanks|hello|hi|regards|attention|addressed|deferred|defer)"
    r"[ \t]+\Z"
)
_SENTENCE_END = re.compile(r"[.;:!?](?:[ \t]|$)|\n")
_GAZETTEER_CONTEXT = 60
_ABBREVIATED_PREFIX = re.compile(r"\b(st|mt|ft)\.?(?= )")
_PREFIX_WORDS = {"st": "saint", "mt": "mount", "ft": "fort"}


def _gazetteer_key(words: list[str]) -> str:
    """The key of ``words`` in the place lists: lower case, "St." and
    "Saint" alike."""
    key = " ".join(words).lower()
    if "." in key or key.startswith(("st ", "mt ", "ft ")) or " st " in key:
        key = _ABBREVIATED_PREFIX.sub(lambda m: _PREFIX_WORDS[m.group(1)], key)
    return key


def _street_before(text: str, cue_start: int) -> bool:
    """Whether a street suffix ends right before the cue ("Elm St. in")."""
    head = text[max(0, cue_start - 12) : cue_start].rstrip(" \t,")
    word = head.rsplit(None, 1)[-1] if head.strip() else ""
    return word.rstrip(".").lower() in _STREET_WORDS


def _eponym_after(text: str, end: int) -> bool:
    """Whether the place name ending at ``end`` names a scale, sign or
    device instead ("Glasgow coma scale", "Miami J collar")."""
    after = _NEXT_WORD.match(text, end)
    return after is not None and (after.group("word") or "scale") in _EPONYM_HEADS


def _gazetteer_place(text: str, cue_start: int, end: int, words: list[str]) -> bool:
    """Whether ``words`` (after a plain "in", "from", "to", ...) name a US
    place, the whole of them. A name that is also a word or a name ("Mobile", "Austin")
    needs a borough after it or a place context before it."""
    key = _gazetteer_key(words)
    ambiguous = key in AMBIGUOUS_PLACES
    if not ambiguous and key not in PLACES:
        return False
    head = text[max(0, cue_start - 16) : cue_start].lower()
    if _PERSON_BEFORE.search(head):
        return False  # "spoke to Quincy" is a person
    if not ambiguous or _BOROUGH_AFTER.match(text, end) or _street_before(text, cue_start):
        return True
    window = text[max(0, cue_start - _GAZETTEER_CONTEXT) : cue_start]
    cut = 0
    for stop in _SENTENCE_END.finditer(window):
        cut = stop.end()  # only the sentence of the cue
    return _PLACE_CONTEXT.search(window[cut:].lower()) is not None


def _place_shaped(words: list[str]) -> bool:
    """Whether the words look like a place name: "Amandaville", "Lake
    Claudia", "St. Louis" ("New" wants a name or a place after it: "New
    Onset" is no town)."""
    keys = [w.lower() for w in words]
    if any(_PLACE_ENDING.search(k) and k not in _PLACE_LOOKALIKES for k in keys):
        return True
    if len(keys) < 2 or keys[0] not in _PLACE_PREFIXES:
        return False
    return keys[0] != "new" or keys[1] in _NAME_WORDS or keys[1] in _PLACE_ENDINGS


def _place_end(text: str, start: int) -> tuple[int, list[str]]:
    """The end and words of the one to three words of a place name at
    ``start``, cut before the first word that is not one ("Boston Monday",
    "Springfield Illinois"); no words, no place."""
    m = _PLACE_WORDS.match(text, start)
    if m is None or _STATE_PHRASE.match(text, start):
        return start, []
    end = start
    words: list[str] = []
    for word in _WORD.finditer(m.group()):
        value = word.group()
        key = value.lower()
        if key in _STATE_WORDS and words and words[-1].lower() in _WATER_AND_FORT:
            pass  # "Lake Virginia", "Port Washington"
        elif key in _NOT_PLACES or key in _STATE_WORDS or value.endswith(("'s", "’s")):
            if words and words[-1].lower() in _PLACE_PREFIXES:
                return start, []  # "South Africa", "New Patient"
            break
        end, words = start + word.end(), [*words, value]
    return end, words


@dataclass(frozen=True, slots=True)
class CityDetector:
    """City names followed by a state ("Boston, MA", "Boston MA 02115",
    "Springfield, Illinois"), after a "City:" label or a place cue ("lives in
    Boston"; "in Springfield" when the word is shaped like a place), and
    county names ("Cook County")."""

    name: str = "city"
    categories: frozenset[str] = frozenset({"CITY"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield cities and counties."""
        for m in _COMMA_STATE.finditer(text):
            yield from self._city(text, m.start(), m.group("abbr"))
        for m in _FIVE_DIGITS.finditer(text):
            state = _ABBR_BEFORE_ZIP.search(text, max(0, m.start() - 8), m.start())
            if state is not None:
                yield from self._city(text, state.start(), state.group("abbr"))
        for m in _CITY_LABEL.finditer(lowered(text)):
            place = _PLACE_HEAD.match(text, m.end())
            if place is not None and not glued(text, m.start()):
                yield Finding("CITY", place.start(), place.end(), 0.85, self.name)
        for m in _COUNTY.finditer(text):
            end = m.start()
            while end > 0 and text[end - 1] in " \t":
                end -= 1
            if end < m.start() and (span := _place_before(text, end)) is not None:
                yield Finding("CITY", span[0], m.end(), 0.8, self.name)
        yield from self._cued(text)

    def _cued(self, text: str) -> Iterator[Finding]:
        """Cities after a cue: any place-like words after "lives in" or
        "moved from"; after "in" or "from" place-shaped ones, US places
        from the gazetteer, or any before ", ST"."""
        at_start = _CITY_CUE.match(" " + text[:40])  # a cue that opens the text
        if at_start is not None:
            yield from self._cued_place(
                text, at_start.group("cue"), at_start.start("cue") - 1, at_start.end() - 1
            )
        for m in _CITY_CUE.finditer(text):
            yield from self._cued_place(text, m.group("cue"), m.start("cue"), m.end())

    def _cued_place(self, text: str, cue: str, cue_start: int, start: int) -> Iterator[Finding]:
        end, words = _place_end(text, start)
        if words:
            kind = _CUE_KIND[" ".join(cue.lower().split())]
            if kind == "weak" and _eponym_after(text, end):
                return  # "in Boston bowel prep", "in Glasgow coma scale"
            if kind == "weak" and not _place_shaped(words):
                state = _COMMA_ABBR.match(text, end)
                if state is not None and state.group("abbr") not in _CREDENTIAL_STATES:
                    pass
                elif not _gazetteer_place(text, cue_start, end, words):
                    return  # "referred to Jones, MD" is a doctor
            yield Finding("CITY", start, end, 0.75, self.name)
            borough = _BOROUGH_AFTER.match(text, end)
            if borough is not None:  # "from Flushing, Queens"
                yield Finding(
                    "CITY", borough.start("borough"), borough.end("borough"), 0.75, self.name
                )

    def _city(self, text: str, end: int, abbr: str | None) -> Iterator[Finding]:
        span = _place_before(text, end)
        if span is None:
            return
        if abbr in _CREDENTIAL_STATES:
            first = text[span[0] : span[1]].split(maxsplit=1)[0]
            if first.lower() in FIRST_NAMES or re.fullmatch(r"[A-Z]\.", first):
                return  # "Jane Smith, MD": a doctor, not Maryland
        yield Finding("CITY", span[0], span[1], 0.8, self.name)


# --- facilities ---------------------------------------------------------------

_FACILITY_SUFFIX = re.compile(
    r"(?:Hospital|Medical[ \t]+Cent(?:er|re)|Health[ \t]+Cent(?:er|re)|Clinic|Infirmary"
    r"|Health[ \t]+System|Healthcare|Health[ \t]+Care[ \t]+Center|Nursing[ \t]+Home"
    r"|Nursing[ \t]+Facility|Rehabilitation[ \t]+(?:Center|Hospital|Institute)"
    r"|Surg(?:ery|ical)[ \t]+Center|Cancer[ \t]+(?:Center|Institute)|Hospice|Medical[ \t]+Group"
    r"|Urgent[ \t]+Care|Sanatorium|Sanitarium|Family[ \t]+(?:Practice|Medicine))\b"
)
# A surname before "Family Clinic" or "Family Practice", whatever the word.
_NAMED_FAMILY = re.compile(
    r"(?<![\w'’.-])(?P<name>[" + UP + "][" + LO + r"]+)[ \t]+Family[ \t]+"
    r"(?:Clinic|Practice|Medicine)\Z"
)
_FAC_TOKEN = (
    r"(?:St\.|Mt\.|[" + UP + "][" + LO + r"]+(?:['’]s)?(?:-[" + UP + "][" + LO + r"]+)?|[A-Z]{2,6})"
)
_FACILITY_HEAD = re.compile(
    r"(?<![\w'’.-])"
    + _FAC_TOKEN
    + r"(?:[ \t]+(?:(?:and|&|of|the)[ \t]+)?"
    + _FAC_TOKEN
    + r"){0,4}[ \t]+\Z"
)
_FACILITY_TAIL = re.compile(
    r"[ \t]+(?:of|for|at)[ \t]+(?:the[ \t]+)?"
    + _FAC_TOKEN
    + r"(?:[ \t]+(?:(?:of|and|&)[ \t]+)?"
    + _FAC_TOKEN
    + r"){0,3}"
)


def _is_generic(span_text: str) -> bool:
    words = [w.rstrip(".").lower() for w in re.findall(r"[^\s&]+", span_text)]
    return all(w in STOPWORDS for w in words)


def _skip_stopwords(text: str, start: int, end: int) -> int:
    """``start`` moved past leading stop words ("The", "Yesterday")."""
    for word in re.finditer(r"\S+", text[start:end]):
        if word.group().rstrip(".").lower() not in STOPWORDS:
            return start + word.start()
    return end


@dataclass(frozen=True, slots=True)
class FacilityDetector:
    """Hospital and facility names: a suffix (Hospital, Medical Center,
    Clinic, Nursing Home, ...) with proper-name words before it ("St. Mary's
    Hospital", "Mayo Clinic") or after it ("Hospital of the University of
    Pennsylvania"). "Cardiology Clinic" and "the hospital" are not names."""

    name: str = "facility"
    categories: frozenset[str] = frozenset({"FACILITY"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield facility names."""
        previous = 0  # a name never reaches back over the facility before it
        for m in _FACILITY_SUFFIX.finditer(text):
            if glued(text, m.start()):
                continue
            head = _FACILITY_HEAD.search(text, max(previous, m.start() - 80), m.start())
            previous = m.end()
            start = m.start()
            if head is not None and not _is_generic(head.group()):
                # Sentence words before the name ("The", "Yesterday") are
                # not part of it.
                start = _skip_stopwords(text, head.start(), m.start())
            elif head is not None:
                # "Ward Family Clinic": a family's name that is also a word
                family = _NAMED_FAMILY.search(text, head.start(), m.end())
                if family is not None and family.group("name").lower() in _NAME_WORDS:
                    start = family.start()
            end = m.end()
            tail = _FACILITY_TAIL.match(text, m.end())
            if tail is not None and _is_generic(tail.group()):
                tail = None
            if tail is not None:
                end = tail.end()
            if start == m.start() and tail is None:
                continue  # a bare "Clinic" or a generic "Cardiology Clinic"
            yield Finding("FACILITY", start, end, 0.8, self.name)
