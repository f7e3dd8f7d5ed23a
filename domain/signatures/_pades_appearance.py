"""The visible signature: a few Vietnamese lines in a shipped TrueType font.

pyHanko's standard fonts cannot draw Vietnamese; an embedded TTF (DejaVu Sans ships in
templates/fonts) can. Subsetting the full DejaVu Sans on every signature costs ~0.4 s (its
large layout tables), so the font is first reduced, once per process and font, to the
Latin and Vietnamese letters a stamp needs and no OpenType layout tables (stamp text is NFC:
Vietnamese letters are precomposed glyphs, nothing to shape), its em scaled to 1000 units
(see ``reduced_font``). Each signature then embeds a subset of that reduced font, made
once per set of glyphs (``_StampFont``).
"""

from __future__ import annotations

import io
import logging
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import uharfbuzz as hb  # type: ignore[import-untyped]
from fontTools import subset, ttLib  # type: ignore[import-untyped]
from fontTools.ttLib.scaleUpem import scale_upem  # type: ignore[import-untyped]
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory
from pyhanko.pdf_utils.font.opentype import CIDFontType2, GlyphAccumulator, _read_ps_name
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from domain.signatures._pades_errors import PdfSignatureError

_UNICODES: Final = (
    *range(0x20, 0x7F),  # Basic Latin
    *range(0xA0, 0x250),  # Latin-1, Latin Extended-A and -B (ă, đ, ơ, ư …)
    *range(0x300, 0x370),  # combining diacritics, for the odd decomposed input
    *range(0x1EA0, 0x1F00),  # Latin Extended Additional: ạ ả ấ … ỹ
    *range(0x2010, 0x2030),  # dashes, quotes, bullets
)
_MAX_LINES: Final = 6
_MAX_LINE_CHARS: Final = 120
_FONT_SIZE: Final = 9
_PDF_EM: Final = 1000

_RIGHT_TWO_THIRDS: Final = SimpleBoxLayoutRule(
    x_align=AxisAlignment.ALIGN_MAX,
    y_align=AxisAlignment.ALIGN_MID,
    # the principal's box is 210 pt wide: 70 pt for the seal, a little air on both sides
    margins=Margins(left=76, right=6),
)

# fontTools reports every table it drops while subsetting (FFTM, …) as a warning.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


class AppearanceError(PdfSignatureError):
    """Appearance text or font the stamp cannot use."""

    code = "appearance_invalid"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why)


@dataclass(frozen=True, slots=True)
class SignatureAppearance:
    """What the visible signature shows: lines of text (NFC) in a TrueType font."""

    lines: tuple[str, ...]
    """The text, one entry per line, e.g. ``("Ký bởi: Nguyễn Văn An", "Hiệu trưởng",
    "Ngày ký: 20/06/2025 09:15")``; at most six lines of 120 characters."""
    font: bytes
    """The TTF file's bytes (the caller reads templates/fonts/DejaVuSans.ttf once)."""
    font_size: int = _FONT_SIZE
    """Points before pyHanko shrinks the text to fit the field's box."""


@dataclass(frozen=True)
class _ReducedFont(FontEngineFactory):
    data: bytes
    size: int

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return _StampFont(self.data, writer=writer, font_size=self.size, obj_stream=obj_stream)


_SUBSETS: Final[OrderedDict[tuple[bytes, frozenset[int]], bytes]] = OrderedDict()
"""Subsets of the reduced font already made, by font and glyphs (the most recent 64)."""
_MAX_SUBSETS: Final = 64
_SUBSETS_LOCK: Final = threading.Lock()  # signatures are prepared in a server's threads too


@dataclass(frozen=True)
class _LoadedFont:
    """A reduced font as fontTools reads it, every table the stamp uses already loaded, so
    that signatures (in any thread) only read it."""

    tt: Any
    """The ``TTFont``."""
    ps_name: str
    glyph_set: Any
    reverse_cmap: dict[str, set[int]]


@lru_cache(maxsize=4)
def _loaded_font(font: bytes) -> _LoadedFont:
    tt = ttLib.TTFont(io.BytesIO(font), lazy=False)
    for tag in tt.keys():  # noqa: SIM118  (a TTFont is no mapping; every table loaded now)
        tt[tag]
    glyph_set = tt.getGlyphSet(preferCFF=True)
    return _LoadedFont(
        tt=tt,
        ps_name=_read_ps_name(tt),
        glyph_set=glyph_set,
        reverse_cmap=tt["cmap"].buildReversed(),
    )


class _StampFont(GlyphAccumulator):
    """pyHanko's glyph accumulator for a reduced TrueType font, with the font read once per
    process and the subset it embeds made once per glyph set.

    The principal's and the seal's stamps use the same letters on every transcript:
    fontTools' subsetting cost ~20 ms a signature, and reading the font's tables and glyphs
    again for each accumulator ~2.5 ms. The shared font is only read; a subset is cut from
    a fresh copy (fontTools subsets in place).
    """

    def __init__(self, font: bytes, *, writer: Any, font_size: int, obj_stream: Any = None) -> None:
        loaded = _loaded_font(font)
        # What GlyphAccumulator.__init__ (pyHanko 0.38) sets for a TrueType (glyf) font
        # with default shaping options, with the font's parsed tables shared.
        FontEngine.__init__(
            self,
            writer,
            loaded.ps_name,
            embedded_subset=True,
            obj_stream=obj_stream,
            font_size=font_size,
        )
        self._font = font
        self.hb_font = hb.Font(hb.Face(font))  # microseconds; not shared between threads
        self.tt = loaded.tt
        self._font_ref = writer.allocate_placeholder()
        self.cff_charset = None
        self.use_raw_gids = True
        self.cidfont_obj = CIDFontType2(loaded.tt, loaded.ps_name, self.subset_prefix)
        self.features = None
        self.units_per_em = loaded.tt["head"].unitsPerEm
        self._glyphs = {}
        self._glyph_set = loaded.glyph_set
        self._cid_to_unicode = {}
        self._GlyphAccumulator__reverse_cmap = loaded.reverse_cmap
        self.ot_language_tag = None
        self.ot_script_tag = None
        self.writing_direction = None
        self.bcp47_lang_code = None
        self._subset_created = self._write_prepared = False

    def _extract_subset(self, options: Any = None) -> None:
        key = (self._font, frozenset(self._glyphs))
        with _SUBSETS_LOCK:
            data = _SUBSETS.get(key)
            if data is not None:
                _SUBSETS.move_to_end(key)
        if data is None:
            self.tt = ttLib.TTFont(io.BytesIO(self._font))  # never cut the shared font
            super()._extract_subset(options)
            out = io.BytesIO()
            self.tt.save(out)
            data = out.getvalue()
            with _SUBSETS_LOCK:
                _SUBSETS[key] = data
                while len(_SUBSETS) > _MAX_SUBSETS:
                    _SUBSETS.popitem(last=False)
        # The subset as written, read back unchanged: saving it again recomputes nothing.
        subset_font = ttLib.TTFont(io.BytesIO(data), recalcBBoxes=False, recalcTimestamp=False)
        self.tt = subset_font
        self.cidfont_obj._tt = subset_font


def stamp_style(
    appearance: SignatureAppearance, *, clear_left_third: bool = False
) -> tuple[TextStampStyle, dict[str, str]]:
    """pyHanko's stamp style for ``appearance`` and its text parameters.

    ``clear_left_third`` keeps the text out of the box's left third (the principal's box,
    whose left third the school seal covers, REQ-11).
    """
    lines = tuple(unicodedata.normalize("NFC", line) for line in appearance.lines)
    if not lines or len(lines) > _MAX_LINES:
        raise AppearanceError(f"an appearance has 1 to {_MAX_LINES} lines, not {len(lines)}")
    for line in lines:
        if len(line) > _MAX_LINE_CHARS or any(unicodedata.category(c) == "Cc" for c in line):
            raise AppearanceError(f"line {line[:40]!r} is too long or holds control characters")
    params = {f"l{index}": line for index, line in enumerate(lines)}
    # %-interpolation is pyHanko's template language: the lines go in as parameters so a
    # "%" in a name cannot break the template.
    template = "\n".join(f"%(l{index})s" for index in range(len(lines)))
    style = TextStampStyle(
        stamp_text=template,
        text_box_style=TextBoxStyle(
            font=_ReducedFont(data=reduced_font(appearance.font), size=appearance.font_size),
            font_size=appearance.font_size,
            leading=appearance.font_size + 2,
        ),
        border_width=1,
        background=None,
        inner_content_layout=_RIGHT_TWO_THIRDS if clear_left_third else None,
    )
    return style, params


@lru_cache(maxsize=4)
def reduced_font(font: bytes) -> bytes:
    """``font`` cut down to the stamp's letters, without layout tables (cached per font)."""
    try:
        face = ttLib.TTFont(io.BytesIO(font), lazy=False)
        options = subset.Options()
        options.layout_features = []
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.drop_tables = [*options.drop_tables, "FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_UNICODES)
        subsetter.subset(face)
        # pyHanko writes the glyph widths (/W) in font units, which PDF reads as thousandths
        # of an em: right only for a 1000-unit em. DejaVu's em is 2048 units.
        if face["head"].unitsPerEm != _PDF_EM:
            scale_upem(face, _PDF_EM)
        out = io.BytesIO()
        face.save(out)
    except Exception as error:  # fontTools raises many unrelated types for a bad file
        raise AppearanceError(
            f"the appearance font is not a usable TrueType font: {error}"
        ) from None
    return out.getvalue()
